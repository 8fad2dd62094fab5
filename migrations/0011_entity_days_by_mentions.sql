-- Each day's entities in order of mentions, so that the most mentioned of a range (the web view's top lists) are
-- found by reading the top of each day's list instead of summing every entity of every day (see top_entities in
-- crates/store/src/sqlite/views.rs): a week of a million-article archive has 1.2M entity_days rows.
CREATE INDEX entity_days_day_mentions ON entity_days(day, mentions);
