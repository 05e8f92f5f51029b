"""Where the painting of the day goes.  Each publisher is idempotent per post id."""

from .base import MemoryProgress, Progress, Publication, Publisher, PublishError
from .bluesky import BlueskyPublisher
from .feed import FeedPublisher
from .instagram import InstagramPublisher
from .mastodon import MastodonPublisher

__all__ = ["BlueskyPublisher", "FeedPublisher", "InstagramPublisher", "MastodonPublisher", "MemoryProgress", "Progress",
           "Publication", "PublishError", "Publisher"]
