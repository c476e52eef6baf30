/**
 * Parameter serialization against the style table of the OpenAPI specification (3.1.1, "Style
 * Examples": color = "blue", ["blue","black","brown"], {"R":100,"G":200,"B":150}), plus what the
 * table leaves out: percent-encoding, allowReserved, `content` parameters, deepObject nesting,
 * header injection.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ToolArgumentError } from '../../src/errors.js';
import {
  checkHeaderValue,
  percentEncode,
  serializeCookie,
  serializeHeader,
  serializePath,
  serializeQuery,
} from '../../src/openapi/serialize.js';
import type { OperationParameter, ParameterLocation } from '../../src/openapi/types.js';

const STRING = 'blue';
const ARRAY = ['blue', 'black', 'brown'];
const OBJECT = { R: 100, G: 200, B: 150 };

function param(location: ParameterLocation, extra: Partial<OperationParameter> = {}): OperationParameter {
  return { name: 'color', in: location, argument: 'color', required: false, schema: {}, ...extra };
}

// [style, explode, string, array, object]; the path styles as they appear in one path segment,
// the query styles as the query string (pairs joined with `&`).
const PATH_TABLE: Array<[string, boolean, string, string, string]> = [
  ['matrix', false, ';color=blue', ';color=blue,black,brown', ';color=R,100,G,200,B,150'],
  ['matrix', true, ';color=blue', ';color=blue;color=black;color=brown', ';R=100;G=200;B=150'],
  ['label', false, '.blue', '.blue,black,brown', '.R,100,G,200,B,150'],
  ['label', true, '.blue', '.blue.black.brown', '.R=100.G=200.B=150'],
  ['simple', false, 'blue', 'blue,black,brown', 'R,100,G,200,B,150'],
  ['simple', true, 'blue', 'blue,black,brown', 'R=100,G=200,B=150'],
];

const QUERY_TABLE: Array<[string, boolean, string | undefined, string, string]> = [
  ['form', false, 'color=blue', 'color=blue,black,brown', 'color=R,100,G,200,B,150'],
  ['form', true, 'color=blue', 'color=blue&color=black&color=brown', 'R=100&G=200&B=150'],
  ['spaceDelimited', false, undefined, 'color=blue%20black%20brown', 'color=R%20100%20G%20200%20B%20150'],
  ['pipeDelimited', false, undefined, 'color=blue%7Cblack%7Cbrown', 'color=R%7C100%7CG%7C200%7CB%7C150'],
];

describe('path styles: the specification table', () => {
  for (const [style, explode, string, array, object] of PATH_TABLE) {
    it(`${style}, explode ${explode}`, () => {
      const p = param('path', { style, explode, required: true });
      assert.equal(serializePath(p, STRING), string);
      assert.equal(serializePath(p, ARRAY), array);
      assert.equal(serializePath(p, OBJECT), object);
    });
  }

  it('defaults to simple without explode', () => {
    const p = param('path', { required: true });
    assert.equal(serializePath(p, ARRAY), 'blue,black,brown');
    assert.equal(serializePath(p, OBJECT), 'R,100,G,200,B,150');
  });

  it('renders empty lists and maps as the "undefined" column', () => {
    assert.equal(serializePath(param('path', { style: 'matrix' }), []), ';color');
    assert.equal(serializePath(param('path', { style: 'label' }), {}), '.');
    assert.equal(serializePath(param('path', { style: 'simple' }), []), '');
  });
});

describe('query styles: the specification table', () => {
  for (const [style, explode, string, array, object] of QUERY_TABLE) {
    it(`${style}, explode ${explode}`, () => {
      const p = param('query', { style, explode });
      if (string !== undefined) assert.equal(serializeQuery(p, STRING).join('&'), string);
      assert.equal(serializeQuery(p, ARRAY).join('&'), array);
      assert.equal(serializeQuery(p, OBJECT).join('&'), object);
    });
  }

  it('deepObject, explode true', () => {
    const p = param('query', { style: 'deepObject', explode: true });
    assert.equal(serializeQuery(p, OBJECT).join('&'), 'color%5BR%5D=100&color%5BG%5D=200&color%5BB%5D=150');
  });

  it('form with explode by default; other styles without', () => {
    assert.equal(serializeQuery(param('query'), ARRAY).join('&'), 'color=blue&color=black&color=brown');
    assert.equal(serializeQuery(param('query'), OBJECT).join('&'), 'R=100&G=200&B=150');
    assert.equal(
      serializeQuery(param('query', { style: 'pipeDelimited' }), ARRAY).join('&'),
      'color=blue%7Cblack%7Cbrown',
    );
  });

  it('space- and pipeDelimited with explode repeat the key, as form does', () => {
    for (const style of ['spaceDelimited', 'pipeDelimited']) {
      const p = param('query', { style, explode: true });
      assert.equal(serializeQuery(p, ARRAY).join('&'), 'color=blue&color=black&color=brown');
    }
  });

  it('deepObject nests objects, repeats list keys, leaves out null', () => {
    const p = param('query', { name: 'filter', style: 'deepObject', explode: true });
    const value = { a: { b: 1, c: null }, tags: ['x', 'y'], 'sp ace': 'v w' };
    assert.deepEqual(serializeQuery(p, value), [
      'filter%5Ba%5D%5Bb%5D=1',
      'filter%5Btags%5D=x',
      'filter%5Btags%5D=y',
      'filter%5Bsp%20ace%5D=v%20w',
    ]);
  });

  it('deepObject refuses values nested past the limit', () => {
    let value: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 40; i++) value = { n: value };
    const p = param('query', { style: 'deepObject', explode: true });
    assert.throws(() => serializeQuery(p, value), ToolArgumentError);
  });

  it('omits absent, null, and empty list or map values (RFC 6570: undefined)', () => {
    for (const value of [undefined, null, [], {}])
      assert.deepEqual(serializeQuery(param('query'), value), []);
  });

  it('sends an empty string as an empty value', () => {
    assert.deepEqual(serializeQuery(param('query'), ''), ['color=']);
  });

  it('writes booleans and numbers as JSON text', () => {
    const p = param('query', { name: 'n' });
    assert.deepEqual(serializeQuery(p, true), ['n=true']);
    assert.deepEqual(serializeQuery(p, 1.5), ['n=1.5']);
    assert.deepEqual(serializeQuery(p, [1, false]), ['n=1', 'n=false']);
  });

  it('percent-encodes values and names, spaces as %20', () => {
    const p = param('query', { name: 'q x' });
    assert.deepEqual(serializeQuery(p, 'a b&c=d#e/f?g+h%i'), ['q%20x=a%20b%26c%3Dd%23e%2Ff%3Fg%2Bh%25i']);
    assert.deepEqual(serializeQuery(p, 'é😀'), ['q%20x=%C3%A9%F0%9F%98%80']);
  });

  it('allowReserved keeps RFC 3986 reserved characters, except # which would end the query', () => {
    const p = param('query', { name: 'path', allowReserved: true });
    assert.deepEqual(serializeQuery(p, "/a/b?c=d&e:f@g!$'()*+,;[x]#h i"), [
      "path=/a/b?c=d&e:f@g!$'()*+,;[x]%23h%20i",
    ]);
  });

  it('serializes a `content` parameter as JSON text, then encodes it', () => {
    const p = param('query', { name: 'coordinates', contentType: 'application/json', style: 'deepObject' });
    assert.deepEqual(serializeQuery(p, { lat: 1, long: 2 }), [
      `coordinates=${encodeURIComponent('{"lat":1,"long":2}')}`,
    ]);
  });
});

describe('header style simple', () => {
  it('follows the table: lists and maps comma-joined, explode as key=value', () => {
    assert.equal(serializeHeader(param('header'), STRING), 'blue');
    assert.equal(serializeHeader(param('header'), ARRAY), 'blue,black,brown');
    assert.equal(serializeHeader(param('header'), OBJECT), 'R,100,G,200,B,150');
    assert.equal(serializeHeader(param('header', { explode: true }), OBJECT), 'R=100,G=200,B=150');
  });

  it('is absent for undefined and null', () => {
    assert.equal(serializeHeader(param('header'), undefined), undefined);
    assert.equal(serializeHeader(param('header'), null), undefined);
  });

  it('refuses CR, LF and other control characters without echoing the value', () => {
    for (const value of ['a\r\nX-Injected: 1', 'a\nb', 'a\rb', 'a\u0000b', 'a\u007fb', ['ok', 'x\ny']]) {
      assert.throws(
        () => serializeHeader(param('header', { argument: 'trace' }), value),
        (error: unknown) =>
          error instanceof ToolArgumentError &&
          /header parameter 'trace'/.test(error.message) &&
          !error.message.includes('Injected'),
      );
    }
  });

  it('allows a tab and Latin-1, refuses what HTTP cannot carry', () => {
    assert.equal(serializeHeader(param('header'), 'a\tb é'), 'a\tb é');
    assert.throws(() => checkHeaderValue('x', '😀'), /beyond Latin-1/);
  });

  it('sends a `content` header parameter as JSON text', () => {
    assert.equal(
      serializeHeader(param('header', { contentType: 'application/json' }), { a: [1] }),
      '{"a":[1]}',
    );
  });
});

describe('cookie style form', () => {
  it('encodes values and splits lists and maps by explode', () => {
    assert.deepEqual(serializeCookie(param('cookie'), 'a b;c'), ['color=a%20b%3Bc']);
    assert.deepEqual(serializeCookie(param('cookie'), ARRAY), ['color=blue', 'color=black', 'color=brown']);
    assert.deepEqual(serializeCookie(param('cookie', { explode: false }), ARRAY), ['color=blue,black,brown']);
    assert.deepEqual(serializeCookie(param('cookie'), OBJECT), ['R=100', 'G=200', 'B=150']);
    assert.deepEqual(serializeCookie(param('cookie', { explode: false }), OBJECT), [
      'color=R,100,G,200,B,150',
    ]);
    assert.deepEqual(serializeCookie(param('cookie'), null), []);
  });
});

describe('percentEncode', () => {
  it('keeps only unreserved characters', () => {
    assert.equal(percentEncode('AZaz09-._~'), 'AZaz09-._~');
    assert.equal(percentEncode("!*'()"), '%21%2A%27%28%29');
  });

  it('turns an unpaired surrogate into U+FFFD rather than throwing', () => {
    assert.equal(percentEncode('a\ud800b'), 'a%EF%BF%BDb');
  });
});
