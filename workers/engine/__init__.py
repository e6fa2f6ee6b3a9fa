"""The shared engine: the sentence encoder, token-budget batching, the phrase cache, and the one backend switch
(``workers.engine.backends.load_backend``) that runs every model under torch or ONNX Runtime."""
