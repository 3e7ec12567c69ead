-- 006: framing by sentence embeddings as well as lexicons.
-- votes: how many of the version's sentences are nearest to the frame's prototype sentences
-- (NULL for tone, and for rows framed by lexicons alone). hits now counts both kinds of
-- evidence (term hits + votes); `method` tells which method framed the row.
ALTER TABLE framing ADD COLUMN IF NOT EXISTS votes INTEGER;
