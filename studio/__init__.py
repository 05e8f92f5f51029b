"""artgan's studio: a local web page where a person paints, compares, stars and queues paintings (`artgan studio`)."""
