"""Where the painting of the day goes.  Each publisher is idempotent per post id."""

from .base import MemoryProgress, Progress, Publication, Publisher, PublishError
from .feed import FeedPublisher
from .instagram import InstagramPublisher

__all__ = ["FeedPublisher", "InstagramPublisher", "MemoryProgress", "Progress", "Publication", "PublishError", "Publisher"]
