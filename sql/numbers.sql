-- Numbers: DynamoDB's grammar, limits, messages and canonical form.
CREATE EXTENSION IF NOT EXISTS dynamo;
CREATE FUNCTION n(text) RETURNS json LANGUAGE sql
  AS $$ SELECT dynamo.attr(('{"v":{"N":' || to_json($1)::text || '}}')::dynamo.item, 'v') $$;

-- canonical form: plain notation, trimmed
SELECT v, n(v) FROM (VALUES ('1e2'), ('0100.50'), ('-0.0'), ('0'), ('-0'), ('1.5E-5'),
  ('+7'), ('.5'), ('5.'), ('-.25e1'), ('123.456e-2'), ('1E+3'), ('0.000'), ('00012'),
  ('12345678901234567890123456789012345678'), ('1.2345678901234567890123456789012345678E+50'),
  ('100000000000000000000000000000000000000000000'), ('-9.9999999999999999999999999999999999999E+125'),
  ('1E-130'), ('-1E-130')) t(v);

-- too many significant digits (trailing and leading zeros do not count)
SELECT n('123456789012345678901234567890123456789');
SELECT n('1.23456789012345678901234567890123456789');
SELECT n('0.00000000000000000000000000000000000000000000012345') IS NOT NULL AS leading_zeros_ok;
-- range
SELECT n('1E126');
SELECT n('-1E126');
SELECT n('9.99E125') IS NOT NULL AS max_ok;
SELECT n('1E-131');
SELECT n('-0.9E-130');
-- not numbers
SELECT n('abc');
SELECT n('');
SELECT n(' 1');
SELECT n('1e');
SELECT n('1.2.3');
SELECT n('--1');
SELECT n('0x10');
SELECT n('Infinity');
SELECT n('NaN');
SELECT n('1e+');
SELECT n('.');

-- size of numbers: 1 byte per 2 significant digits, plus 1
SELECT v, dynamo.item_size(('{"":{"N":"' || v || '"}}')::dynamo.item) FROM (VALUES ('0'), ('1'), ('12'), ('123'),
  ('1000000'), ('0.0001'), ('-123.45')) t(v);

-- numeric order of number sort keys
SELECT dynamo.create_table('{"TableName":"Nums","KeySchema":[{"AttributeName":"p","KeyType":"HASH"},{"AttributeName":"s","KeyType":"RANGE"}],
  "AttributeDefinitions":[{"AttributeName":"p","AttributeType":"S"},{"AttributeName":"s","AttributeType":"N"}],"BillingMode":"PAY_PER_REQUEST"}') IS NOT NULL;
SELECT count(dynamo.put_item(json_build_object('TableName','Nums','Item',
  json_build_object('p', json_build_object('S','x'), 's', json_build_object('N', v)))))
FROM unnest(ARRAY['0','1','-1','10','-10','0.5','-0.5','0.05','-0.05','100','-100','1.5','-1.5',
  '1E-130','-1E-130','9.9999999999999999999999999999999999999E+125','-9.9999999999999999999999999999999999999E+125',
  '2','20','0.2','-2','-20','-0.2','12.34','12.345','-12.34','-12.345']) v;
SELECT dynamo.attr(item, 's')->>'N' AS s FROM dynamo_data."Nums" ORDER BY sk;
