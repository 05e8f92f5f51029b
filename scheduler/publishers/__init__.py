"""Where the painting of the day goes.  Each publisher is idempotent per post id."""

from .base import Publication, Publisher
from .feed import FeedPublisher

__all__ = ["FeedPublisher", "Publication", "Publisher"]
