// The drop-in client library. Its API lands with the library issue; until then the package exports only its version.
export const VERSION = '0.1.0';
