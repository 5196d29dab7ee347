-- A document names its last saver by user id, as decimal text in
-- documents.updated_by (which also holds the names of older rows and of
-- API keys). Reading a document joins that text to the user: without an
-- index on the id as text, each document of a list read every user of the
-- account, so a page cost more the more users the account had.
CREATE INDEX users_id_text_idx ON users (account_id, (CAST(id AS TEXT)));
