-- PartiQL SELECT through the SQL door: every shape of statement on a table
-- with a sort key, one without, a local and two global secondary indexes
-- (one of several key attributes); the native read each becomes (GetItem,
-- a Query per partition, Scan), paging with Limit and NextToken,
-- ConsistentRead, ReturnConsumedCapacity, parameters of every type, and
-- DynamoDB's errors.
-- Grammar and semantics: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-reference.select.html,
-- ql-functions.*.html, ql-operators.html, ql-reference.data-types.html and
-- API_ExecuteStatement.html.  Messages the documentation does not give
-- are those of DynamoDB's shared PartiQL message table (as DynamoDB Local
-- ships it), or as others measured them against DynamoDB where noted.
CREATE EXTENSION IF NOT EXISTS dynamo;
SELECT dynamo.create_table('{"TableName":"PqsMusic",
  "KeySchema":[{"AttributeName":"Artist","KeyType":"HASH"},{"AttributeName":"SongTitle","KeyType":"RANGE"}],
  "AttributeDefinitions":[{"AttributeName":"Artist","AttributeType":"S"},{"AttributeName":"SongTitle","AttributeType":"S"},
    {"AttributeName":"Year","AttributeType":"N"},{"AttributeName":"Genre","AttributeType":"S"},
    {"AttributeName":"Label","AttributeType":"S"},{"AttributeName":"Country","AttributeType":"S"}],
  "LocalSecondaryIndexes":[{"IndexName":"ByYear","KeySchema":[{"AttributeName":"Artist","KeyType":"HASH"},{"AttributeName":"Year","KeyType":"RANGE"}],
    "Projection":{"ProjectionType":"ALL"}}],
  "GlobalSecondaryIndexes":[
    {"IndexName":"ByGenre","KeySchema":[{"AttributeName":"Genre","KeyType":"HASH"},{"AttributeName":"Year","KeyType":"RANGE"}],
     "Projection":{"ProjectionType":"ALL"}},
    {"IndexName":"ByLabel","KeySchema":[{"AttributeName":"Label","KeyType":"HASH"},{"AttributeName":"Country","KeyType":"HASH"},
      {"AttributeName":"Year","KeyType":"RANGE"}],
     "Projection":{"ProjectionType":"INCLUDE","NonKeyAttributes":["Awards"]}}],
  "BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL AS created;
SELECT dynamo.create_table('{"TableName":"PqsPlain","KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],
  "AttributeDefinitions":[{"AttributeName":"id","AttributeType":"N"}],"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL AS created;
CALL dynamo.wait_for_jobs();

SELECT count(dynamo.put_item(json_build_object('TableName', 'PqsMusic', 'Item', i::json))) FROM (VALUES
  ('{"Artist":{"S":"Acme"},"SongTitle":{"S":"a1"},"Year":{"N":"2001"},"Genre":{"S":"rock"},"Label":{"S":"L"},"Country":{"S":"US"},
     "Awards":{"N":"3"},"Tags":{"SS":["loud","live"]},"Scores":{"NS":["1","2.5"]},"Flag":{"BOOL":true},"Gone":{"NULL":true},
     "Blob":{"B":"AAE="},"Info":{"M":{"rating":{"N":"5"},"credits":{"L":[{"M":{"c":{"S":"x"}}},{"M":{"c":{"S":"y"}}},{"M":{"c":{"S":"z"}}}]}}},
     "odd-name":{"S":"dash"},"it''s":{"S":"quote"}}'),
  ('{"Artist":{"S":"Acme"},"SongTitle":{"S":"a2"},"Year":{"N":"2003"},"Genre":{"S":"rock"},"Label":{"S":"L"},"Country":{"S":"UK"},
     "Awards":{"N":"0"},"Tags":{"SS":["calm"]},"Flag":{"BOOL":false},"Info":{"M":{"rating":{"N":"2"},"credits":{"L":[{"M":{"c":{"S":"q"}}}]}}}}'),
  ('{"Artist":{"S":"Acme"},"SongTitle":{"S":"b1"},"Year":{"N":"2002"},"Genre":{"S":"pop"},"Label":{"S":"L"},"Country":{"S":"US"},
     "Awards":{"N":"10"},"Blob":{"B":"AAI="}}'),
  ('{"Artist":{"S":"Acme"},"SongTitle":{"S":"b2"},"Year":{"N":"1999"},"Genre":{"S":"pop"},"Awards":{"N":"1"},"Note":{"S":"hello world"}}'),
  ('{"Artist":{"S":"Acme"},"SongTitle":{"S":"c1"},"Year":{"N":"2010"},"Genre":{"S":"jazz"},"Label":{"S":"M"},"Country":{"S":"US"},
     "Awards":{"N":"2"},"List":{"L":[{"S":"p"},{"N":"1"},{"BOOL":true}]}}'),
  ('{"Artist":{"S":"Bee"},"SongTitle":{"S":"x1"},"Year":{"N":"2001"},"Genre":{"S":"rock"},"Label":{"S":"L"},"Country":{"S":"US"},"Awards":{"N":"7"}}'),
  ('{"Artist":{"S":"Bee"},"SongTitle":{"S":"x2"},"Year":{"N":"2005"},"Genre":{"S":"pop"},"Awards":{"N":"4"}}'),
  ('{"Artist":{"S":"Cat"},"SongTitle":{"S":"y1"},"Year":{"N":"2020"},"Genre":{"S":"rock"},"Awards":{"N":"0"}}')) AS v(i);
SELECT count(dynamo.put_item(json_build_object('TableName', 'PqsPlain', 'Item',
    json_build_object('id', json_build_object('N', i::text), 'v', json_build_object('N', (i % 3)::text)))))
FROM generate_series(1, 12) i;

-- the answer of a statement as text (keys sorted), or its error
CREATE FUNCTION pq(stmt text, params text DEFAULT NULL, extra jsonb DEFAULT '{}') RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
	RETURN dynamo.execute_statement((jsonb_build_object('Statement', stmt) ||
		CASE WHEN params IS NULL THEN '{}' ELSE jsonb_build_object('Parameters', params::jsonb) END || extra)::json)::jsonb::text;
EXCEPTION WHEN OTHERS THEN
	RETURN SQLERRM;
END $$;
-- the keys of the items a statement returns, in order (Artist/SongTitle or
-- id), '-' for none, '+' when a NextToken follows; or its error
CREATE FUNCTION pqk(stmt text, params text DEFAULT NULL, extra jsonb DEFAULT '{}', sorted bool DEFAULT false) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	r json;
	keys text;
BEGIN
	r := dynamo.execute_statement((jsonb_build_object('Statement', stmt) ||
		CASE WHEN params IS NULL THEN '{}' ELSE jsonb_build_object('Parameters', params::jsonb) END || extra)::json);
	SELECT string_agg(k, ',' ORDER BY CASE WHEN sorted THEN k END, n) INTO keys
	FROM (SELECT coalesce(i->'Artist'->>'S' || '/' || (i->'SongTitle'->>'S'), i->'id'->>'N', '?') k, n
		  FROM json_array_elements(r->'Items') WITH ORDINALITY e(i, n)) s;
	RETURN coalesce(keys, '-') || CASE WHEN r->>'NextToken' IS NOT NULL THEN ' +' ELSE '' END;
EXCEPTION WHEN OTHERS THEN
	RETURN SQLERRM;
END $$;
-- the same for a Scan, whose order is the table's own: sorted
CREATE FUNCTION pqs(stmt text, params text DEFAULT NULL) RETURNS text
LANGUAGE sql AS $$ SELECT pqk(stmt, params, '{}', true) $$;

-- whole key: one item (GetItem), or none
SELECT pq('SELECT * FROM "PqsMusic" WHERE Artist = ''Acme'' AND SongTitle = ''b1''');
SELECT pq('SELECT * FROM PqsMusic WHERE "SongTitle" = ''b1'' AND "Artist" = ''Acme''') =
       pq('SELECT * FROM "PqsMusic" WHERE Artist = ''Acme'' AND SongTitle = ''b1''') AS same;
SELECT pq('SELECT * FROM "PqsMusic" WHERE Artist = ''Acme'' AND SongTitle = ''zz''');
SELECT pq('SELECT * FROM "PqsPlain" WHERE id = 3');
SELECT pq('SELECT * FROM "PqsPlain" WHERE id = 300');
-- the value on the left
SELECT pqk('SELECT * FROM "PqsMusic" WHERE ''Acme'' = Artist AND ''a2'' = SongTitle');

-- the partition, in sort-key order, with each sort-key condition
SELECT c, pqk('SELECT * FROM "PqsMusic" WHERE Artist = ''Acme''' || c) FROM (VALUES
  (''), (' AND SongTitle = ''b2'''), (' AND SongTitle < ''b1'''), (' AND SongTitle <= ''b1'''),
  (' AND SongTitle > ''b1'''), (' AND SongTitle >= ''b1'''), (' AND SongTitle BETWEEN ''a2'' AND ''b2'''),
  (' AND begins_with(SongTitle, ''b'')'), (' AND ''b1'' < SongTitle'), (' AND SongTitle > ''zz''')) AS t(c);
SELECT pqk('SELECT * FROM "PqsMusic" WHERE Artist = ''Nobody''');

-- filters on other attributes, in a partition and in a Scan (IS [NOT]
-- NULL tests the attribute's type, as attribute_type does: a missing
-- attribute IS NOT NULL)
SELECT c, pqk('SELECT * FROM "PqsMusic" WHERE Artist = ''Acme'' AND ' || c) FROM (VALUES
  ('Awards > 2'), ('Awards <> 0'), ('Awards >= 3 AND "Year" < 2002'), ('Awards = 0 OR Awards = 10'),
  ('NOT Awards < 3'), ('Awards BETWEEN 1 AND 3'), ('Awards IN [0, 2, 99]'), ('Awards IN (1, 3)'),
  ('Label IS MISSING'), ('Label IS NOT MISSING'), ('Gone IS NULL'), ('Flag IS NOT NULL'), ('Awards IS NUMERIC'), ('Note IS NOT STRING'),
  ('begins_with(Note, ''hello'')'), ('contains(Note, ''o w'')'), ('contains(Tags, ''live'')'),
  ('contains("List", 1)'), ('size(Tags) = 1'), ('size(Note) > 5'), ('size(Info.credits) = 3'),
  ('attribute_type(Scores, ''NS'')'), ('attribute_type(Awards, ''S'')'), ('exists("Blob")'), ('missing("Blob")'),
  ('Flag = true'), ('Flag = FALSE'), ('Gone = null'), ('NOT contains(Tags, ''live'')'),
  ('(Awards = 3 OR Awards = 1) AND NOT Genre = ''pop''')) AS t(c);
SELECT c, pqs('SELECT * FROM "PqsMusic" WHERE ' || c) FROM (VALUES
  ('Awards > 3'), ('Genre = ''rock'' AND "Year" >= 2001'), ('"Year" BETWEEN 2001 AND 2003'),
  ('SongTitle = ''a1'''), ('begins_with(SongTitle, ''x'')'), ('Artist > ''B'''), ('Artist <> ''Acme'''),
  ('Artist = ''Cat'' OR Awards = 7'), ('NOT Artist = ''Acme'''), ('Artist IN [''Bee'', ''Cat''] OR Awards = 10'),
  ('begins_with(Artist, ''C'')'), ('Artist = ''Acme'' AND SongTitle = ''a1'' OR Artist = ''Bee''')) AS t(c);
SELECT pqs('SELECT * FROM "PqsMusic"');
SELECT pqs('SELECT * FROM "PqsPlain" WHERE v = 0');
SELECT pqs('SELECT * FROM "PqsPlain" WHERE id > 9');

-- nested paths: maps, list elements, quoted names
SELECT c, pqk('SELECT * FROM "PqsMusic" WHERE Artist = ''Acme'' AND ' || c) FROM (VALUES
  ('Info.rating = 5'), ('Info.credits[2].c = ''z'''), ('Info.credits[0].c = ''q'''), ('"Info"."credits"[1]."c" = ''y'''),
  ('Info.credits[3] IS MISSING'), ('"odd-name" = ''dash'''), ('"it''s" = ''quote'''), ('"List"[2] = true'),
  ('Info.rating > Awards')) AS t(c);

-- projections: a list, nested paths, attributes that are not there
SELECT pq('SELECT Awards, Genre FROM "PqsMusic" WHERE Artist = ''Acme'' AND SongTitle = ''a1''');
SELECT pq('SELECT Info.credits[1].c, Info.rating, "odd-name", Tags FROM "PqsMusic" WHERE Artist = ''Acme'' AND SongTitle = ''a1''');
SELECT pq('SELECT Info.credits[1] FROM "PqsMusic" WHERE Artist = ''Acme'' AND SongTitle = ''a1''');
SELECT pq('SELECT Nothing FROM "PqsMusic" WHERE Artist = ''Acme'' AND SongTitle = ''a1''');
SELECT pq('SELECT SongTitle, "Year" FROM "PqsMusic" WHERE Artist = ''Acme'' AND SongTitle < ''b''');
SELECT pq('SELECT "Artist" FROM "PqsMusic" WHERE Artist = ''Cat''');

-- index reads: the LSI, the GSIs (in the index's order), a Scan of an index
SELECT pqk('SELECT * FROM "PqsMusic"."ByYear" WHERE Artist = ''Acme''');
SELECT pqk('SELECT * FROM "PqsMusic"."ByYear" WHERE Artist = ''Acme'' AND "Year" BETWEEN 2001 AND 2003');
SELECT pqk('SELECT * FROM "PqsMusic"."ByYear" WHERE Artist = ''Acme'' AND "Year" > 2001 AND Awards > 2');
SELECT pqk('SELECT * FROM "PqsMusic"."ByGenre" WHERE Genre = ''rock''');
SELECT pqk('SELECT * FROM "PqsMusic"."ByGenre" WHERE Genre = ''rock'' AND "Year" >= 2003');
SELECT pqk('SELECT * FROM "PqsMusic"."ByGenre" WHERE Genre = ''rock'' AND "Year" = 2001');
SELECT pqk('SELECT * FROM "PqsMusic"."ByGenre" WHERE Genre IN [''pop'', ''jazz''] ORDER BY Genre DESC');
SELECT pqs('SELECT * FROM "PqsMusic"."ByGenre" WHERE "Year" > 2004');
SELECT pqk('SELECT * FROM "PqsMusic"."ByLabel" WHERE Label = ''L'' AND Country = ''US''');
SELECT pqk('SELECT * FROM "PqsMusic"."ByLabel" WHERE Country = ''US'' AND Label = ''L'' AND "Year" > 2001');
SELECT pq('SELECT Awards, "Year" FROM "PqsMusic"."ByLabel" WHERE Label = ''L'' AND Country = ''UK''');
SELECT pqs('SELECT * FROM "PqsMusic"."ByLabel" WHERE Label = ''L''');
-- an attribute the index does not project (as DynamoDB answers, measured by others)
SELECT pq('SELECT Genre FROM "PqsMusic"."ByLabel" WHERE Label = ''L'' AND Country = ''UK''');
SELECT pq('SELECT * FROM "PqsMusic"."ByLabel" WHERE Label = ''L'' AND Country = ''UK'' AND Genre = ''rock''');

-- IN and OR over partition keys: one read per partition, in key order
SELECT pqk('SELECT * FROM "PqsMusic" WHERE Artist IN [''Cat'', ''Acme'', ''Nobody'', ''Bee'']');
SELECT pqk('SELECT * FROM "PqsMusic" WHERE Artist IN [''Cat'', ''Bee'', ''Cat'']');
SELECT pqk('SELECT * FROM "PqsMusic" WHERE Artist IN [''Cat'', ''Bee''] AND SongTitle > ''x1''');
SELECT pqk('SELECT * FROM "PqsMusic" WHERE Artist = ''Cat'' OR Artist = ''Bee''');
SELECT pqk('SELECT * FROM "PqsMusic" WHERE Artist = ''Cat'' OR Artist = ''Acme'' AND SongTitle = ''b2''');
SELECT pqk('SELECT * FROM "PqsPlain" WHERE id IN [5, 1, 12, 99]');
SELECT pqk('SELECT * FROM "PqsPlain" WHERE id = 7 OR id = 2');

-- ORDER BY the keys
SELECT c, pqk('SELECT * FROM "PqsMusic" WHERE ' || c) FROM (VALUES
  ('Artist = ''Acme'' ORDER BY SongTitle'), ('Artist = ''Acme'' ORDER BY SongTitle DESC'),
  ('Artist = ''Acme'' ORDER BY SongTitle ASC'), ('Artist = ''Acme'' AND SongTitle = ''a1'' ORDER BY Artist'),
  ('Artist = ''Acme'' AND SongTitle > ''a1'' ORDER BY Artist, SongTitle DESC'),
  ('Artist IN [''Bee'', ''Acme''] ORDER BY Artist DESC'), ('Artist IN [''Bee'', ''Acme''] ORDER BY Artist DESC, SongTitle DESC'),
  ('Artist IN [''Bee'', ''Acme''] ORDER BY Artist, SongTitle DESC'), ('Artist = ''Bee'' OR Artist = ''Cat'' ORDER BY Artist DESC')) AS t(c);
SELECT pqk('SELECT * FROM "PqsMusic"."ByYear" WHERE Artist = ''Acme'' ORDER BY "Year" DESC');
SELECT pqk('SELECT * FROM "PqsMusic"."ByGenre" WHERE Genre = ''pop'' ORDER BY "Year" DESC');

-- Limit: the items evaluated, not returned; NextToken goes on
SELECT pqk('SELECT * FROM "PqsMusic" WHERE Artist = ''Acme''', NULL, '{"Limit":2}');
SELECT pqk('SELECT * FROM "PqsMusic" WHERE Artist = ''Acme'' AND Awards > 2', NULL, '{"Limit":2}');
SELECT pqk('SELECT * FROM "PqsMusic" WHERE Artist = ''Acme''', NULL, '{"Limit":5}');
SELECT pqk('SELECT * FROM "PqsMusic" WHERE Artist IN [''Bee'', ''Cat'']', NULL, '{"Limit":2}');
SELECT pqk('SELECT * FROM "PqsMusic" WHERE Artist = ''Acme'' AND SongTitle = ''a1''', NULL, '{"Limit":1}');

-- every page until no NextToken: each item exactly once, as one read returns them
CREATE FUNCTION pq_pages(stmt text, lim int, params text DEFAULT NULL, sorted bool DEFAULT false) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	req jsonb := jsonb_build_object('Statement', stmt, 'Limit', lim) ||
		CASE WHEN params IS NULL THEN '{}' ELSE jsonb_build_object('Parameters', params::jsonb) END;
	r json;
	token text;
	pages int := 0;
	got text[] := '{}';
	whole text[];
BEGIN
	LOOP
		r := dynamo.execute_statement((req || CASE WHEN token IS NULL THEN '{}' ELSE jsonb_build_object('NextToken', token) END)::json);
		pages := pages + 1;
		IF json_array_length(r->'Items') > lim THEN
			RAISE EXCEPTION 'page % has % items, Limit is %', pages, json_array_length(r->'Items'), lim;
		END IF;
		got := got || ARRAY(SELECT i::jsonb::text FROM json_array_elements(r->'Items') i);
		token := r->>'NextToken';
		EXIT WHEN token IS NULL;
		IF pages > 100 THEN
			RAISE EXCEPTION 'no end';
		END IF;
	END LOOP;
	r := dynamo.execute_statement((req - 'Limit')::json);
	whole := ARRAY(SELECT i::jsonb::text FROM json_array_elements(r->'Items') i);
	IF sorted THEN
		got := ARRAY(SELECT x FROM unnest(got) x ORDER BY x);
		whole := ARRAY(SELECT x FROM unnest(whole) x ORDER BY x);
	END IF;
	RETURN format('%s pages, %s items, %s distinct, %s', pages, cardinality(got),
		(SELECT count(DISTINCT x) FROM unnest(got) x), CASE WHEN got = whole THEN 'as one read' ELSE 'DIFFERENT' END);
END $$;
SELECT lim, pq_pages('SELECT * FROM "PqsMusic" WHERE Artist = ''Acme''', lim) FROM (VALUES (1), (2), (4), (5), (6)) AS t(lim);
SELECT pq_pages('SELECT * FROM "PqsMusic" WHERE Artist = ''Acme'' ORDER BY SongTitle DESC', 2);
SELECT pq_pages('SELECT * FROM "PqsMusic" WHERE Artist IN [''Acme'', ''Bee'', ''Cat'', ''Dog''] AND Awards > 0', 2);
SELECT pq_pages('SELECT * FROM "PqsMusic" WHERE Artist IN [''Acme'', ''Bee'', ''Cat''] ORDER BY Artist DESC', 3);
SELECT pq_pages('SELECT * FROM "PqsMusic" WHERE Artist = ? OR Artist = ?', 1, '[{"S":"Cat"},{"S":"Bee"}]');
SELECT pq_pages('SELECT * FROM "PqsMusic"."ByGenre" WHERE Genre = ''rock''', 2);
SELECT pq_pages('SELECT * FROM "PqsMusic"', 3, NULL, true);
SELECT pq_pages('SELECT * FROM "PqsPlain" WHERE v <> 1', 2, NULL, true);
SELECT pq_pages('SELECT * FROM "PqsPlain"', 1, NULL, true);

-- a NextToken of another statement, other parameters, another table; forged ones
CREATE FUNCTION pq_token(stmt text, params text DEFAULT NULL) RETURNS text LANGUAGE sql AS $$
	SELECT dynamo.execute_statement((jsonb_build_object('Statement', stmt, 'Limit', 1) ||
		CASE WHEN params IS NULL THEN '{}' ELSE jsonb_build_object('Parameters', params::jsonb) END)::json)->>'NextToken' $$;
SELECT pqk('SELECT * FROM "PqsMusic" WHERE Artist = ''Bee''', NULL,
  jsonb_build_object('NextToken', pq_token('SELECT * FROM "PqsMusic" WHERE Artist = ''Acme''')));
SELECT pqk('SELECT * FROM "PqsMusic" WHERE Artist = ?', '[{"S":"Bee"}]',
  jsonb_build_object('NextToken', pq_token('SELECT * FROM "PqsMusic" WHERE Artist = ?', '[{"S":"Acme"}]')));
SELECT pqk('SELECT * FROM "PqsMusic" WHERE Artist = ?', '[{"S":"Acme"}]',
  jsonb_build_object('NextToken', pq_token('SELECT * FROM "PqsMusic" WHERE Artist = ?', '[{"S":"Acme"}]')));
SELECT pqk('SELECT * FROM "PqsMusic" WHERE Artist = ''Acme''', NULL,
  jsonb_build_object('NextToken', pq_token('SELECT * FROM "PqsMusic" WHERE Artist = ''Acme'''), 'ConsistentRead', true));
SELECT pqk('SELECT * FROM "PqsPlain"', NULL, jsonb_build_object('NextToken', pq_token('SELECT * FROM "PqsMusic"')));
SELECT pqk('SELECT * FROM "PqsMusic" WHERE Artist = ''Acme''', NULL, jsonb_build_object('NextToken', t))
FROM (VALUES ('abc'), (''), ('!!!!'), (encode('{"h":"1","p":0}', 'base64')), (encode('[1,2]', 'base64')),
  (encode('{"h":1,"p":0}', 'base64'))) AS v(t);
-- a real token changed: its start key (to a later key of the same
-- partition, to another partition's, to no key of the table, written as
-- the token writes it or not), its partition, its seal: DynamoDB's tokens
-- are sealed, a changed one is invalid
CREATE FUNCTION pq_forge(stmt text, path text[], val jsonb) RETURNS text LANGUAGE sql AS $$
	SELECT translate(encode(convert_to(CASE WHEN val IS NULL THEN t #- path ELSE jsonb_set(t, path, val) END::text, 'UTF8'), 'base64'), E'\n', '')
	FROM (SELECT convert_from(decode(pq_token(stmt), 'base64'), 'UTF8')::jsonb t) s $$;
SELECT pqk('SELECT * FROM "PqsMusic" WHERE Artist = ''Acme''', NULL,
    jsonb_build_object('NextToken', pq_forge('SELECT * FROM "PqsMusic" WHERE Artist = ''Acme''', '{k}', k)))
FROM (VALUES (to_jsonb('{"Artist":{"S":"Acme"},"SongTitle":{"S":"b1"}}'::text)), (to_jsonb('{"Artist":{"S":"Bee"},"SongTitle":{"S":"x1"}}'::text)),
  (to_jsonb('{"Artist":{"S":"Acme"}}'::text)), ('{"Artist":{"S":"Acme"},"SongTitle":{"S":"b1"}}'), ('"k"'), (NULL)) AS v(k);
SELECT pqk('SELECT * FROM "PqsMusic" WHERE Artist IN [''Acme'', ''Bee'']', NULL,
    jsonb_build_object('NextToken', pq_forge('SELECT * FROM "PqsMusic" WHERE Artist IN [''Acme'', ''Bee'']', path, v)))
FROM (VALUES ('{p}'::text[], '1'::jsonb), ('{p}', '2'), ('{p}', '-1'), ('{p}', '"0"'), ('{s}', '"1"'), ('{s}', NULL), ('{h}', '"1"')) AS t(path, v);
-- the token, unchanged, goes on
SELECT pqk('SELECT * FROM "PqsMusic" WHERE Artist IN [''Acme'', ''Bee'']', NULL,
    jsonb_build_object('NextToken', pq_forge('SELECT * FROM "PqsMusic" WHERE Artist IN [''Acme'', ''Bee'']', '{p}', '0')));

-- ConsistentRead: the table and the LSI, not a GSI
SELECT pqk('SELECT * FROM "PqsMusic" WHERE Artist = ''Cat''', NULL, '{"ConsistentRead":true}');
SELECT pqk('SELECT * FROM "PqsMusic"."ByYear" WHERE Artist = ''Cat''', NULL, '{"ConsistentRead":true}');
SELECT pqk('SELECT * FROM "PqsMusic"."ByGenre" WHERE Genre = ''jazz''', NULL, '{"ConsistentRead":true}');
SELECT pqk('SELECT * FROM "PqsMusic"."ByGenre" WHERE Genre = ''jazz''', NULL, '{"ConsistentRead":false}');

-- ReturnConsumedCapacity: of a GetItem, a Query, the reads of an IN, an index
SELECT pq('SELECT Awards FROM "PqsMusic" WHERE Artist = ''Cat'' AND SongTitle = ''y1''', NULL, '{"ReturnConsumedCapacity":"TOTAL"}');
SELECT pq('SELECT Awards FROM "PqsMusic" WHERE Artist = ''Cat'' AND SongTitle = ''y1''', NULL, '{"ReturnConsumedCapacity":"TOTAL","ConsistentRead":true}');
SELECT pq('SELECT Awards FROM "PqsMusic" WHERE Artist = ''Cat''', NULL, '{"ReturnConsumedCapacity":"INDEXES"}');
SELECT pq('SELECT Awards FROM "PqsMusic" WHERE Artist IN [''Cat'', ''Bee'']', NULL, '{"ReturnConsumedCapacity":"TOTAL"}');
SELECT pq('SELECT Awards FROM "PqsMusic"."ByGenre" WHERE Genre = ''jazz''', NULL, '{"ReturnConsumedCapacity":"INDEXES"}');
SELECT pq('SELECT Awards FROM "PqsMusic" WHERE Artist = ''Cat''', NULL, '{"ReturnConsumedCapacity":"NONE"}');
SELECT pq('SELECT Awards FROM "PqsMusic" WHERE Artist = ''Cat''', NULL, '{"ReturnConsumedCapacity":"SOME"}');

-- parameters of every AttributeValue type
SELECT c, p, pqk('SELECT * FROM "PqsMusic" WHERE Artist = ''Acme'' AND ' || c, p) FROM (VALUES
  ('SongTitle = ?', '[{"S":"a2"}]'), ('Awards = ?', '[{"N":"1E1"}]'), ('"Blob" = ?', '[{"B":"AAI="}]'),
  ('Tags = ?', '[{"SS":["live","loud"]}]'), ('Scores = ?', '[{"NS":["2.50","1"]}]'),
  ('Info.rating = ?', '[{"N":"2"}]'), ('Info = ?', '[{"M":{"rating":{"N":"2"},"credits":{"L":[{"M":{"c":{"S":"q"}}}]}}}]'),
  ('"List" = ?', '[{"L":[{"S":"p"},{"N":"1"},{"BOOL":true}]}]'), ('Gone = ?', '[{"NULL":true}]'), ('Flag = ?', '[{"BOOL":false}]'),
  ('contains(Tags, ?)', '[{"S":"calm"}]'), ('Awards BETWEEN ? AND ?', '[{"N":"1"},{"N":"3"}]'),
  ('Awards IN [?, ?]', '[{"N":"0"},{"N":"2"}]'), ('begins_with(SongTitle, ?)', '[{"S":"b"}]')) AS t(c, p);
SELECT pqk('SELECT * FROM "PqsMusic" WHERE Artist = ? AND SongTitle = ?', '[{"S":"Bee"},{"S":"x2"}]');
SELECT pqk('SELECT * FROM "PqsMusic" WHERE Artist IN [?, ?]', '[{"S":"Bee"},{"S":"Cat"}]');
SELECT pqk('SELECT * FROM "PqsMusic" WHERE "Blob" = ?', '[{"BS":["AAE="]}]');
SELECT pqk('SELECT * FROM "PqsMusic" WHERE Artist = ?', '[{"N":"1"}]');
SELECT pqk('SELECT * FROM "PqsPlain" WHERE id = ?', '[{"N":"4.0"}]');
SELECT pqk('SELECT * FROM "PqsPlain" WHERE id = ?', '[{"S":"4"}]');

-- errors: syntax
SELECT c, pq(c) FROM (VALUES
  ('SELEC * FROM "PqsMusic"'), ('SELECT * FROM'), ('SELECT * FROM "PqsMusic" WHERE'),
  ('SELECT * FROM "PqsMusic" WHERE Artist = ''Acme'''''), ('SELECT * FROM "PqsMusic" WHERE Artist = ''Acme'' AND'),
  ('SELECT * FROM Pqs-Music'), ('SELECT * FROM "PqsMusic" WHERE Year = 2001'), ('SELECT Year FROM "PqsMusic"'), ('SELECT * FROM "PqsMusic"; SELECT * FROM "PqsMusic"'), ('')) AS t(c);
-- errors: projection, FROM and clauses
SELECT c, pq(c) FROM (VALUES
  ('SELECT COUNT(*) FROM "PqsMusic"'), ('SELECT *, Awards FROM "PqsMusic"'), ('SELECT Awards, Awards FROM "PqsMusic"'),
  ('SELECT Awards AS a FROM "PqsMusic"'), ('SELECT * FROM "PqsMusic"."ByYear"."x"'), ('SELECT * FROM ""'),
  ('SELECT * FROM "PqsMusic".""'), ('SELECT * FROM "PqsMusic"."NoSuch"'), ('SELECT * FROM "PqsMissing"'),
  ('SELECT * FROM "PqsMissing"."ByYear"'), ('SELECT * FROM "ab"'), ('SELECT * FROM "Pqs Music"'),
  ('SELECT * FROM "PqsMusic" GROUP BY Artist'), ('SELECT DISTINCT Artist FROM "PqsMusic"'),
  ('SELECT * FROM "PqsMusic" LIMIT 1'), ('SELECT * FROM "PqsMusic", "PqsPlain"'),
  ('SELECT Info[*].c FROM "PqsMusic"'), ('SELECT Info.*.c FROM "PqsMusic"')) AS t(c);
-- errors: WHERE
SELECT c, pq(c) FROM (VALUES
  ('SELECT * FROM "PqsMusic" WHERE Awards'), ('SELECT * FROM "PqsMusic" WHERE 1'),
  ('SELECT * FROM "PqsMusic" WHERE Awards = MISSING'), ('SELECT * FROM "PqsMusic" WHERE Awards < true'),
  ('SELECT * FROM "PqsMusic" WHERE nosuch(Awards)'), ('SELECT * FROM "PqsMusic" WHERE Awards + 1 = 2'),
  ('SELECT * FROM "PqsMusic" WHERE Artist = ''Acme'' AND SongTitle <> ''a1'''),
  ('SELECT * FROM "PqsMusic" WHERE Artist = ''Acme'' AND SongTitle > ''a1'' AND SongTitle < ''c'''),
  ('SELECT * FROM "PqsMusic" WHERE Artist = ''Acme'' AND Artist = ''Bee'''),
  ('SELECT * FROM "PqsMusic" WHERE Artist = ''Acme'' AND SongTitle = ''a1'' AND SongTitle = ''a2'''),
  ('SELECT * FROM "PqsMusic" WHERE Artist IN []'), ('SELECT * FROM "PqsMusic" WHERE Artist IN ''Acme''')) AS t(c);
SELECT pq('SELECT * FROM "PqsMusic" WHERE Artist IN [' || string_agg('''a' || i || '''', ', ') || ']') FROM generate_series(1, 51) i;
SELECT pqk('SELECT * FROM "PqsMusic" WHERE Artist IN [' || string_agg('''a' || i || '''', ', ') || ']') FROM generate_series(1, 50) i;
SELECT pq('SELECT * FROM "PqsMusic" WHERE ' || string_agg('Artist = ''a' || i || '''', ' OR ')) FROM generate_series(1, 51) i;
-- errors: ORDER BY
SELECT c, pq(c) FROM (VALUES
  ('SELECT * FROM "PqsMusic" ORDER BY SongTitle'), ('SELECT * FROM "PqsMusic" WHERE Awards = 1 ORDER BY SongTitle'),
  ('SELECT * FROM "PqsMusic" WHERE Artist = ''Acme'' ORDER BY Awards'),
  ('SELECT * FROM "PqsMusic" WHERE Artist IN [''Acme'', ''Bee''] ORDER BY SongTitle'),
  ('SELECT * FROM "PqsMusic" WHERE Artist = ''Acme'' OR Awards = 1 ORDER BY Artist'),
  ('SELECT * FROM "PqsMusic"."ByGenre" WHERE Genre = ''pop'' ORDER BY SongTitle')) AS t(c);
-- errors: the request
SELECT pq('SELECT * FROM "PqsMusic" WHERE Artist = ?', '[]');
SELECT pq('SELECT * FROM "PqsMusic" WHERE Artist = ?');
SELECT pq('SELECT * FROM "PqsMusic" WHERE Artist = ?', '[{"S":"Acme"},{"S":"Bee"}]');
SELECT pq('SELECT * FROM "PqsMusic" WHERE Artist = ''Acme''', '[{"S":"Acme"}]');
SELECT pq('SELECT * FROM "PqsMusic" WHERE Artist = ?', '[{"Q":"Acme"}]');
SELECT pq('SELECT * FROM "PqsMusic" WHERE Artist = ?', '[{"S":"Acme","N":"1"}]');
SELECT pq('SELECT * FROM "PqsMusic" WHERE Artist = ?', '[{"N":"x"}]');
SELECT pq('SELECT * FROM "PqsMusic" WHERE Artist = ''Cat''', NULL, '{"Limit":0}');
SELECT pq('SELECT * FROM "PqsMusic" WHERE Artist = ''Cat''', NULL, '{"Limit":"1"}');
SELECT pq('SELECT * FROM "PqsMusic" WHERE Artist = ''Cat''', NULL, '{"ConsistentRead":"yes"}');
SELECT pq('SELECT * FROM "PqsMusic" WHERE Artist = ''Cat''', NULL, '{"Statement":""}');
SELECT dynamo.execute_statement('{}');
SELECT pq('SELECT * FROM "PqsMusic" WHERE Artist = ''Cat''', NULL, '{"Unknown":1}');

-- the other door: the same code
SELECT dynamo.call('ExecuteStatement', '{"Statement":"SELECT Awards FROM \"PqsMusic\" WHERE Artist = ? AND SongTitle = ?",
  "Parameters":[{"S":"Cat"},{"S":"y1"}]}');
SELECT dynamo.call('ExecuteStatement', '{"Statement":"SELECT * FROM \"PqsMusic\".\"ByGenre\" WHERE Genre = ''jazz''","ConsistentRead":true}');

-- the statement a partition-fixing SELECT runs reads one range of the
-- table's (or the GSI's) index, not the whole table: the partition key and
-- the sort-key range in its Index Cond; an IN reads once per value
-- (auto_explain of the nested statements, in a session of its own; costs
-- and durations left out)
CREATE TABLE pqs_explain (n int, req json);
INSERT INTO pqs_explain VALUES
  (1, '{"Statement":"SELECT * FROM \"PqsMusic\" WHERE Artist = ''Acme'' AND SongTitle > ''a2''"}'),
  (2, '{"Statement":"SELECT * FROM \"PqsMusic\".\"ByGenre\" WHERE Genre = ''rock'' AND \"Year\" >= 2003"}'),
  (3, '{"Statement":"SELECT * FROM \"PqsPlain\" WHERE id IN [3, 5]"}');
\setenv PGDATABASE :DBNAME
\! psql -X -q -At -c "SELECT count(dynamo.execute_statement(req)) FROM pqs_explain" -c "LOAD 'auto_explain'" -c "SET auto_explain.log_min_duration = 0" -c "SET auto_explain.log_nested_statements = on" -c "SET client_min_messages = log" -c "SELECT n, json_array_length(dynamo.execute_statement(req)->'Items') FROM pqs_explain ORDER BY n" 2>&1 | awk '/^LOG:/ {p = 0} /^Query Text: SELECT item/ {p = 1} p || /^[0-9]+\|/' | sed -E 's/  \(cost=[^)]*\)//'

SELECT dynamo.delete_table('{"TableName":"PqsMusic"}')->'TableDescription'->>'TableStatus';
SELECT dynamo.delete_table('{"TableName":"PqsPlain"}')->'TableDescription'->>'TableStatus';
CALL dynamo.wait_for_jobs();
DROP TABLE pqs_explain;
DROP FUNCTION pq, pqk, pqs, pq_pages, pq_token, pq_forge;
