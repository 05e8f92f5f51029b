"""artgan.scheduler: picking, captioning, history and publishing the painting of the day."""
