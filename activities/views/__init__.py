"""Pages of the activities app, split by topic: browsing, editing, partners, health."""
