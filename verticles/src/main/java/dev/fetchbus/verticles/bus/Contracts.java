package dev.fetchbus.verticles.bus;

import dev.fetchbus.verticles.fetch.api.FetchApi;
import dev.fetchbus.verticles.http.api.JobsApi;
import dev.fetchbus.verticles.store.api.StoreApi;
import java.util.List;
import java.util.stream.Stream;

/**
 * The contracts that open endpoints to TCP bridge clients, for the bridge's allow-list: the endpoints marked
 * {@link Endpoint#openToBridge()} in them, and the published addresses bridge clients may receive.
 */
public final class Contracts {
  public static final List<Endpoint<?, ?>> ENDPOINTS = Stream.of(StoreApi.ENDPOINTS, FetchApi.ENDPOINTS,
      JobsApi.ENDPOINTS).flatMap(List::stream).toList();
  /** The published addresses bridge clients may receive: every job's progress, nothing else. */
  public static final List<String> BRIDGED_TOPIC_PATTERNS = List.of(FetchApi.PROGRESS_ADDRESSES);

  private Contracts() {
  }

  /** The addresses bridge clients may send to. */
  public static List<String> bridgedAddresses() {
    return ENDPOINTS.stream().filter(Endpoint::bridged).map(Endpoint::address).toList();
  }
}
