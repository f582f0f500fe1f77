"""Reference values for other implementations: exact inputs, high-precision outputs, correctly
rounded float64/float32, in documented files (see ``symbinfo refs``)."""
