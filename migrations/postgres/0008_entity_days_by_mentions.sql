-- Each day's entities in order of mentions, so that the most mentioned of a range (the web view's top lists) are
-- found by reading the top of each day's list instead of summing every entity of every day (see top_entities in
-- crates/store/src/sqlite/views.rs), as SQLite's 0011_entity_days_by_mentions.
CREATE INDEX entity_days_day_mentions ON entity_days(day, mentions);
