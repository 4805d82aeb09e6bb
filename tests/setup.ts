// Loaded before every Vitest file: @peculiar/x509 needs the reflect polyfill first.
import "reflect-metadata";
