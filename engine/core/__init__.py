"""What every layer shares and that imports nothing else of the engine: the settings (the only reader of the
environment), errors and their JSON answers, the API's shared schemas and OpenAPI plumbing, the clock, the
garbage collector's settings."""
