package dev.fetchbus.verticles.fetch;

import java.nio.file.Path;

/** Where one URL's body is kept: the file {@code name} in {@code dir}, reported in results as {@code relative}. */
record MirrorTarget(Path dir, String name, String relative) {
}
