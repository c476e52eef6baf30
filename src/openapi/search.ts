/**
 * Ranked full-text search over operations, behind the `search_operations` tool: a model describes what it
 * wants in words and must find the one operation among thousands that does it.
 *
 * Ranking is BM25F: a term counts more in the name, path and summary than deep in a description, long
 * fields count each occurrence less, and rare terms count more than common ones. Everything that depends
 * only on the corpus is computed once at build time, so a posting is a doc number and one quantized weight
 * and a query is a few passes over typed arrays.
 */
import { SearchIndexError } from '../errors.js';
import { fnv1a32 } from './names.js';

export interface SearchDocument {
  /** The caller's number for the operation; results carry it, and ties are broken by it. */
  id: number;
  name: string;
  method: string;
  path: string;
  summary?: string;
  description?: string;
  tags: string[];
  operationId?: string;
}

export interface SearchOptions {
  /** At most this many results; 10 by default. */
  limit?: number;
  /** Only operations with one of these tags (case-insensitive). */
  tags?: string[];
  /** Only operations with one of these methods (case-insensitive). */
  methods?: string[];
}

export interface SearchHit {
  id: number;
  score: number;
}

/** The cache form: flat arrays of numbers, so it serializes small and compresses well. */
export interface OperationIndexJson {
  format: typeof FORMAT;
  version: typeof VERSION;
  ids: number[];
  methodNames: string[];
  methods: number[];
  nameHashes: number[];
  operationIdHashes: number[];
  nameTermHashes: number[];
  operationIdTermHashes: number[];
  tagNames: string[];
  /** Per document, how many tags; their numbers follow in `tags`. */
  tagCounts: number[];
  tags: number[];
  /** Sorted by UTF-16 code units, which the prefix search relies on. */
  terms: string[];
  /** Per term, how many postings; their docs (delta-encoded) and weights follow in order. */
  postingCounts: number[];
  postingDocs: number[];
  postingWeights: number[];
}

const FORMAT = 'headroom-operation-index';
const VERSION = 1;

// Fields of BM25F. The name holds both the tool name and the operationId, which usually say the same thing.
const NAME = 0;
const PATH = 1;
const SUMMARY = 2;
const TAGS = 3;
const DESCRIPTION = 4;
const FIELD_COUNT = 5;
/** How much an occurrence in each field counts: names and paths are what the operation is; descriptions ramble. */
const FIELD_WEIGHTS = [4, 2, 2, 1.5, 1];
/** How much a field's length dampens it: names and tags are short and uniform, descriptions vary a lot. */
const FIELD_LENGTH_DAMPING = [0.2, 0.3, 0.5, 0.2, 0.75];
const K1 = 1.2;
/** Weights are stored as fractions of this, which keeps two bytes per posting and exact JSON round trips. */
const WEIGHT_SCALE = 65535;
/** A prefix match of the last query word is a guess at what the user was still typing: it counts less. */
const PREFIX_WEIGHT = 0.5;
/** Expansions of a short prefix beyond this many terms add time, not relevance. */
const MAX_PREFIX_EXPANSIONS = 64;
/** Long descriptions (whole markdown pages in some specs) would cost build time without changing the ranking. */
const MAX_DESCRIPTION_CHARS = 4096;
const MAX_TOKEN_LENGTH = 40;

const STOP_WORDS = new Set(
  (
    'a an and any are as at be been by can could do does during for from had has have how i if in into is it ' +
    'its me my of on or our please should so than that the their them then there these this those to was ' +
    'we were what when where which who will with would you your'
  ).split(' '),
);

/** API shorthand and its spelled-out form mean the same thing; both map to the (stemmed) shorthand. */
const ALIASES = new Map([
  ['repositori', 'repo'],
  ['organization', 'org'],
  ['organisation', 'org'],
  ['configuration', 'config'],
  ['application', 'app'],
  ['environment', 'env'],
  ['information', 'info'],
  ['administrator', 'admin'],
  ['parameter', 'param'],
  ['specification', 'spec'],
  ['directori', 'dir'],
  ['identifier', 'id'],
  ['ids', 'id'],
  ['referenc', 'ref'],
  ['statistic', 'stat'],
  // The stemmer's rules give three forms of this common verb.
  ['us', 'use'],
  ['using', 'use'],
]);

const NON_ASCII = /[^\x00-\x7f]/;
const COMBINING_MARKS = /\p{M}+/gu;
const WORD_CHAR = /[\p{L}\p{N}]/u;
const URL = /\bhttps?:\/\/[^\s)\]>"']+/g;
const PLACEHOLDER = /\{([^}]*)\}/g;

const OTHER = 0;
const LOWER = 1;
const UPPER = 2;
const DIGIT = 3;

function charClass(text: string, index: number): number {
  const code = text.charCodeAt(index);
  if (code >= 97 && code <= 122) return LOWER;
  if (code >= 65 && code <= 90) return UPPER;
  if (code >= 48 && code <= 57) return DIGIT;
  if (code < 128) return OTHER;
  // Letters beyond ASCII have no camelCase boundaries worth finding; they only need to join words.
  return WORD_CHAR.test(text[index]!) ? LOWER : OTHER;
}

/**
 * Calls `emit` with each lowercased word of `text`: split at anything but letters and digits and at
 * camelCase humps (`getHTTPResponse2Json` gives get, http, response2, json), diacritics folded.
 */
export function forEachWord(text: string, emit: (word: string) => void): void {
  const foreign = NON_ASCII.test(text);
  if (foreign) text = text.normalize('NFKD').replace(COMBINING_MARKS, '');
  // Most words are lowercase already, and skipping toLowerCase for them saves a tenth of a build.
  let upper = foreign;
  let start = -1;
  let previous = OTHER;
  for (let index = 0; index <= text.length; index++) {
    const current = index < text.length ? charClass(text, index) : OTHER;
    if (current === OTHER) {
      if (start >= 0) emit(upper ? text.slice(start, index).toLowerCase() : text.slice(start, index));
      start = -1;
    } else if (start < 0) {
      start = index;
      upper = foreign || current === UPPER;
    } else if (current === UPPER && previous !== UPPER) {
      emit(upper ? text.slice(start, index).toLowerCase() : text.slice(start, index));
      start = index;
      upper = true;
    } else if (current === LOWER && previous === UPPER && index - start >= 2) {
      // The last capital of a run starts the next word: HTTPResponse is HTTP + Response.
      emit(text.slice(start, index - 1).toLowerCase());
      start = index - 1;
    } else if (current === UPPER) {
      upper = true;
    }
    previous = current;
  }
}

const VOWEL = /[aeiouy]/;
const UNDOUBLED = 'aeioulsz';

function undouble(stem: string): string {
  const last = stem[stem.length - 1]!;
  return stem.length >= 4 && last === stem[stem.length - 2] && !UNDOUBLED.includes(last)
    ? stem.slice(0, -1)
    : stem;
}

/**
 * A light, deterministic English stemmer: plurals, -ing, -ed, a final e and a final y (as i), so that
 * create, creates, created and creating, or policy and policies, all meet. Over-stemming is harmless
 * here because queries go through the same function.
 */
export function stem(word: string): string {
  if (word.length <= 3) return word;
  let w = word;
  if (w.endsWith('ies') && w.length > 4) w = `${w.slice(0, -3)}i`;
  else if (w.endsWith('sses')) w = w.slice(0, -2);
  else if (w.endsWith('s') && !w.endsWith('ss') && !w.endsWith('us') && !w.endsWith('is')) w = w.slice(0, -1);
  if (w.endsWith('ing') && w.length >= 6 && VOWEL.test(w.slice(0, -3))) w = undouble(w.slice(0, -3));
  else if (w.endsWith('ed') && w.length >= 5 && VOWEL.test(w.slice(0, -2))) w = undouble(w.slice(0, -2));
  if (w.length > 3 && w.endsWith('e')) w = w.slice(0, -1);
  if (w.length > 3 && w.endsWith('y')) w = `${w.slice(0, -1)}i`;
  return w;
}

/** The index term for a word, or '' for words that carry no meaning (stop words, single letters). */
export function termOf(word: string): string {
  if (word.length < 2 || word.length > MAX_TOKEN_LENGTH || STOP_WORDS.has(word)) return '';
  const stemmed = stem(word);
  return ALIASES.get(stemmed) ?? stemmed;
}

/** The index terms of a text, in order, repeats kept. */
export function tokenize(text: string): string[] {
  const terms: string[] = [];
  forEachWord(text, (word) => {
    const term = termOf(word);
    if (term !== '') terms.push(term);
  });
  return terms;
}

function grow32(array: Uint32Array<ArrayBuffer>, needed: number): Uint32Array<ArrayBuffer> {
  if (needed <= array.length) return array;
  const bigger = new Uint32Array(Math.max(needed, array.length * 2));
  bigger.set(array);
  return bigger;
}

function grow8(array: Uint8Array<ArrayBuffer>, needed: number): Uint8Array<ArrayBuffer> {
  if (needed <= array.length) return array;
  const bigger = new Uint8Array(Math.max(needed, array.length * 2));
  bigger.set(array);
  return bigger;
}

function exactKey(text: string): number {
  return fnv1a32(text.trim().toLowerCase());
}

/** A hash of the distinct terms, in any order; 0, which ranking ignores, for none. */
function termSetKey(terms: Iterable<string>): number {
  let key = 0;
  // A sum is the same in any order, and needs no sorting.
  for (const term of new Set(terms)) key = (key + fnv1a32(term)) >>> 0;
  return key;
}

/** Per-field occurrence counts of every (term, doc) pair, collected before field lengths are known. */
class PostingCollector {
  readonly termNumbers = new Map<string, number>();
  readonly termNames: string[] = [];
  count = 0;
  terms = new Uint32Array(1024);
  docs = new Uint32Array(1024);
  /** Occurrences per posting and field, saturating at 255: BM25 saturates long before. */
  counts = new Uint8Array(1024 * FIELD_COUNT);
  readonly fieldLengths: Uint32Array;
  readonly nameTermHashes: Uint32Array;
  readonly operationIdTermHashes: Uint32Array;
  /** Word to term number, -1 for none: words repeat far more often than they are new, and stemming costs. */
  readonly #wordTerms = new Map<string, number>();
  /** Per term, its latest posting plus one: the current doc's posting for the term when it is the doc's. */
  #latestPosting = new Uint32Array(1024);
  #doc = 0;

  constructor(docCount: number) {
    this.fieldLengths = new Uint32Array(docCount * FIELD_COUNT);
    this.nameTermHashes = new Uint32Array(docCount);
    this.operationIdTermHashes = new Uint32Array(docCount);
  }

  addDoc(doc: number, { name, operationId, method, path, summary, tags, description }: SearchDocument): void {
    this.#doc = doc;
    this.nameTermHashes[doc] = this.#addName(name);
    this.operationIdTermHashes[doc] =
      operationId === undefined ? this.nameTermHashes[doc]! : this.#addName(operationId);
    this.#addWord(PATH, method.toLowerCase());
    // Placeholders name parameters, not the resource: they say less about what the operation does.
    const params: string[] = [];
    const literal = path.replace(PLACEHOLDER, (_, param: string) => {
      params.push(param);
      return ' ';
    });
    this.#addText(PATH, literal);
    this.#addText(SUMMARY, summary);
    for (const tag of tags) this.#addText(TAGS, tag);
    let text = description ?? '';
    if (text.length > MAX_DESCRIPTION_CHARS) text = text.slice(0, MAX_DESCRIPTION_CHARS);
    if (text.includes('://')) text = text.replace(URL, ' ');
    this.#addText(DESCRIPTION, text);
    for (const param of params) this.#addText(DESCRIPTION, param);
  }

  /** Indexes a name and returns the hash of its set of terms. */
  #addName(name: string): number {
    const terms: string[] = [];
    forEachWord(name, (word) => {
      const term = this.#addWord(NAME, word);
      if (term >= 0) terms.push(this.termNames[term]!);
    });
    return termSetKey(terms);
  }

  #addText(field: number, text: string | undefined): void {
    if (text) forEachWord(text, (word) => this.#addWord(field, word));
  }

  /** Counts the word in the field and returns its term number, or -1 when it is not a term. */
  #addWord(field: number, word: string): number {
    let term = this.#wordTerms.get(word);
    if (term === undefined) {
      term = this.#termNumber(termOf(word));
      this.#wordTerms.set(word, term);
    }
    if (term < 0) return term;
    let posting = this.#latestPosting[term]! - 1;
    if (posting < 0 || this.docs[posting] !== this.#doc) {
      posting = this.#newPosting(term);
      this.#latestPosting[term] = posting + 1;
    }
    const slot = posting * FIELD_COUNT + field;
    // The name field merges two spellings of one name: a word counts once, not once per spelling.
    if (field === NAME && this.counts[slot]! > 0) return term;
    if (this.counts[slot]! < 0xff) this.counts[slot]!++;
    this.fieldLengths[this.#doc * FIELD_COUNT + field]!++;
    return term;
  }

  #termNumber(term: string): number {
    if (term === '') return -1;
    let number = this.termNumbers.get(term);
    if (number === undefined) {
      number = this.termNames.length;
      this.termNames.push(term);
      this.termNumbers.set(term, number);
      this.#latestPosting = grow32(this.#latestPosting, this.termNames.length);
    }
    return number;
  }

  #newPosting(term: number): number {
    const posting = this.count++;
    this.terms = grow32(this.terms, this.count);
    this.docs = grow32(this.docs, this.count);
    this.counts = grow8(this.counts, this.count * FIELD_COUNT);
    this.terms[posting] = term;
    this.docs[posting] = this.#doc;
    return posting;
  }
}

/**
 * A copy that shares no memory with the text it was cut from: V8 keeps a substring as a view of its
 * parent, so an index term cut from a description (or a tag from a spec's text) would keep that alive.
 */
function detached(text: string): string {
  return text.split('').join('');
}

function dictionary(values: string[]): { names: string[]; numbers: Map<string, number> } {
  const numbers = new Map<string, number>();
  for (const value of values) if (!numbers.has(value)) numbers.set(value, numbers.size);
  return { names: [...numbers.keys()].map(detached), numbers };
}

interface IndexParts {
  ids: Uint32Array;
  methodNames: string[];
  methods: Uint16Array;
  /** Hashes of the name and the operationId as written (lowercased), for exact matches. */
  nameHashes: Uint32Array;
  operationIdHashes: Uint32Array;
  /** Hashes of their sets of terms, so `get repository` finds `repos/get` as surely as `repos/get` does. */
  nameTermHashes: Uint32Array;
  operationIdTermHashes: Uint32Array;
  tagNames: string[];
  tagOffsets: Uint32Array;
  tags: Uint32Array;
  terms: string[];
  termOffsets: Uint32Array;
  postingDocs: Uint32Array;
  postingWeights: Uint16Array;
}

/** Per doc and field, what one occurrence there is worth: the field's weight, dampened by its length. */
function fieldNorms(fieldLengths: Uint32Array, docCount: number): Float64Array {
  const averages = new Float64Array(FIELD_COUNT);
  for (let index = 0; index < fieldLengths.length; index++)
    averages[index % FIELD_COUNT]! += fieldLengths[index]!;
  const norms = new Float64Array(fieldLengths.length);
  for (let index = 0; index < fieldLengths.length; index++) {
    const field = index % FIELD_COUNT;
    const damping = FIELD_LENGTH_DAMPING[field]!;
    const relativeLength = (fieldLengths[index]! * docCount) / Math.max(1, averages[field]!);
    norms[index] = FIELD_WEIGHTS[field]! / (1 - damping + damping * relativeLength);
  }
  return norms;
}

function buildPostings(collector: PostingCollector, docCount: number) {
  const { termNames, termNumbers, count } = collector;
  const terms = termNames.map(detached).sort();
  const rank = new Uint32Array(terms.length);
  terms.forEach((term, index) => {
    rank[termNumbers.get(term)!] = index;
  });
  const termOffsets = new Uint32Array(terms.length + 1);
  for (let posting = 0; posting < count; posting++) termOffsets[rank[collector.terms[posting]!]! + 1]!++;
  for (let term = 0; term < terms.length; term++) termOffsets[term + 1]! += termOffsets[term]!;

  const norms = fieldNorms(collector.fieldLengths, docCount);
  const postingDocs = new Uint32Array(count);
  const postingWeights = new Uint16Array(count);
  const next = termOffsets.slice(0, terms.length);
  // Postings were collected doc by doc, so each term's list comes out sorted by doc.
  for (let posting = 0; posting < count; posting++) {
    const doc = collector.docs[posting]!;
    let frequency = 0;
    for (let field = 0; field < FIELD_COUNT; field++) {
      frequency += collector.counts[posting * FIELD_COUNT + field]! * norms[doc * FIELD_COUNT + field]!;
    }
    const slot = next[rank[collector.terms[posting]!]!]!++;
    postingDocs[slot] = doc;
    postingWeights[slot] = Math.max(1, Math.round((WEIGHT_SCALE * frequency) / (K1 + frequency)));
  }
  return { terms, termOffsets, postingDocs, postingWeights };
}

function buildParts(docs: SearchDocument[]): IndexParts {
  const methodDictionary = dictionary(docs.map((doc) => doc.method.toLowerCase()));
  const tagDictionary = dictionary(docs.flatMap((doc) => doc.tags.map((tag) => tag.trim().toLowerCase())));
  const tagOffsets = new Uint32Array(docs.length + 1);
  const tags: number[] = [];
  docs.forEach((doc, index) => {
    for (const tag of doc.tags) tags.push(tagDictionary.numbers.get(tag.trim().toLowerCase())!);
    tagOffsets[index + 1] = tags.length;
  });
  const collector = new PostingCollector(docs.length);
  for (const [index, doc] of docs.entries()) collector.addDoc(index, doc);
  return {
    ids: Uint32Array.from(docs, (doc) => doc.id),
    methodNames: methodDictionary.names,
    methods: Uint16Array.from(docs, (doc) => methodDictionary.numbers.get(doc.method.toLowerCase())!),
    nameHashes: Uint32Array.from(docs, (doc) => exactKey(doc.name)),
    operationIdHashes: Uint32Array.from(docs, (doc) => exactKey(doc.operationId ?? doc.name)),
    nameTermHashes: collector.nameTermHashes,
    operationIdTermHashes: collector.operationIdTermHashes,
    tagNames: tagDictionary.names,
    tagOffsets,
    tags: Uint32Array.from(tags),
    ...buildPostings(collector, docs.length),
  };
}

/** Index of the first term not below `prefix` (the terms being sorted). */
function lowerBound(terms: string[], prefix: string): number {
  let low = 0;
  let high = terms.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (terms[middle]! < prefix) low = middle + 1;
    else high = middle;
  }
  return low;
}

function offsetsFromCounts(counts: number[]): Uint32Array {
  const offsets = new Uint32Array(counts.length + 1);
  counts.forEach((count, index) => {
    offsets[index + 1] = offsets[index]! + count;
  });
  return offsets;
}

function countsFromOffsets(offsets: Uint32Array): number[] {
  return Array.from(offsets.subarray(1), (end, index) => end - offsets[index]!);
}

function numbers(data: Record<string, unknown>, key: string): number[] {
  const value = data[key];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'number'))
    invalid(`${key} is not numbers`);
  return value;
}

function strings(data: Record<string, unknown>, key: string): string[] {
  const value = data[key];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string'))
    invalid(`${key} is not strings`);
  return value;
}

function invalid(message: string): never {
  throw new SearchIndexError(`The cached search index is unusable: ${message}.`);
}

function beats(id: number, score: number, other: SearchHit): boolean {
  return score > other.score || (score === other.score && id < other.id);
}

/** The best `limit` hits seen, best first: higher score, then lower id. Allocates only for hits that enter. */
class TopHits {
  readonly hits: SearchHit[] = [];
  readonly #limit: number;

  constructor(limit: number) {
    this.#limit = limit;
  }

  offer(id: number, score: number): void {
    const hits = this.hits;
    if (hits.length === this.#limit && !beats(id, score, hits[hits.length - 1]!)) return;
    let low = 0;
    let high = hits.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (beats(id, score, hits[middle]!)) high = middle;
      else low = middle + 1;
    }
    hits.splice(low, 0, { id, score });
    if (hits.length > this.#limit) hits.pop();
  }
}

export class OperationIndex {
  readonly #parts: IndexParts;

  private constructor(parts: IndexParts) {
    this.#parts = parts;
  }

  static build(docs: SearchDocument[]): OperationIndex {
    for (const doc of docs) {
      if (!Number.isInteger(doc.id) || doc.id < 0 || doc.id > 0xffffffff) {
        throw new RangeError(`Operation ids must be integers from 0 to 2^32 - 1, got ${doc.id}.`);
      }
    }
    return new OperationIndex(buildParts(docs));
  }

  get size(): number {
    return this.#parts.ids.length;
  }

  search(query: string, options: SearchOptions = {}): SearchHit[] {
    const limit = Math.min(Math.floor(options.limit ?? 10), this.size);
    if (!(limit > 0)) return [];
    const scores = new Float64Array(this.size);
    const words: string[] = [];
    forEachWord(query, (word) => words.push(word));
    const terms = [...new Set(words.map(termOf).filter((term) => term !== ''))];
    const last = words.length === 0 ? '' : termOf(words.at(-1)!);
    for (const term of terms) if (term !== last) this.#addTerm(term, scores);
    if (last !== '') this.#addLastTerm(last, words.at(-1)!, scores);
    return this.#rank(query, terms, scores, options, limit);
  }

  #idf(term: number): number {
    const frequency = this.#parts.termOffsets[term + 1]! - this.#parts.termOffsets[term]!;
    return Math.log(1 + (this.size - frequency + 0.5) / (frequency + 0.5));
  }

  #termNumber(term: string): number {
    const index = lowerBound(this.#parts.terms, term);
    return this.#parts.terms[index] === term ? index : -1;
  }

  /** Adds each posting's score of `term` times `factor`, or keeps the higher of it and what is there. */
  #accumulate(term: number, factor: number, scores: Float64Array, keepMax: boolean): void {
    const { termOffsets, postingDocs, postingWeights } = this.#parts;
    const scale = (factor * this.#idf(term)) / WEIGHT_SCALE;
    for (let posting = termOffsets[term]!; posting < termOffsets[term + 1]!; posting++) {
      const doc = postingDocs[posting]!;
      const score = postingWeights[posting]! * scale;
      scores[doc] = keepMax ? Math.max(scores[doc]!, score) : scores[doc]! + score;
    }
  }

  #addTerm(term: string, scores: Float64Array): void {
    const number = this.#termNumber(term);
    if (number >= 0) this.#accumulate(number, 1, scores, false);
  }

  /** The last word also matches as a prefix (`repo` finds `repository`), at a lower weight, best match only. */
  #addLastTerm(term: string, word: string, scores: Float64Array): void {
    const best = new Float64Array(this.size);
    const exact = this.#termNumber(term);
    if (exact >= 0) this.#accumulate(exact, 1, best, true);
    for (const expansion of this.#expansions([term, word], exact)) {
      this.#accumulate(expansion, PREFIX_WEIGHT, best, true);
    }
    for (let doc = 0; doc < best.length; doc++) scores[doc]! += best[doc]!;
  }

  /** Terms that start with one of the prefixes (or with a spelled-out form of an alias), most frequent first. */
  #expansions(prefixes: string[], exact: number): number[] {
    const { terms, termOffsets } = this.#parts;
    const found = new Set<number>();
    const starts = [...prefixes];
    for (const [spelled, alias] of ALIASES) {
      if (prefixes.some((prefix) => spelled.startsWith(prefix) && spelled !== prefix)) starts.push(alias);
    }
    for (const prefix of starts) {
      for (let index = lowerBound(terms, prefix); terms[index]?.startsWith(prefix); index++) {
        if (index !== exact) found.add(index);
      }
    }
    const frequency = (term: number) => termOffsets[term + 1]! - termOffsets[term]!;
    return [...found].sort((a, b) => frequency(b) - frequency(a) || a - b).slice(0, MAX_PREFIX_EXPANSIONS);
  }

  #accepts(doc: number, tags: Set<number> | undefined, methods: Set<number> | undefined): boolean {
    const parts = this.#parts;
    if (methods !== undefined && !methods.has(parts.methods[doc]!)) return false;
    if (tags === undefined) return true;
    for (let index = parts.tagOffsets[doc]!; index < parts.tagOffsets[doc + 1]!; index++) {
      if (tags.has(parts.tags[index]!)) return true;
    }
    return false;
  }

  #filterSet(names: string[], wanted: string[] | undefined): Set<number> | undefined {
    if (wanted === undefined || wanted.length === 0) return undefined;
    const lowered = new Set(wanted.map((value) => value.trim().toLowerCase()));
    return new Set(names.flatMap((name, index) => (lowered.has(name) ? [index] : [])));
  }

  /**
   * Exact matches of the operationId or name first, then operations whose name has exactly the query's
   * terms, then the rest; by score within each tier. Tiers add a bonus above the tier below, so scores
   * still decrease down the list, and they do not depend on the filters.
   */
  #rank(
    query: string,
    terms: string[],
    scores: Float64Array,
    options: SearchOptions,
    limit: number,
  ): SearchHit[] {
    const key = query.trim() === '' ? -1 : exactKey(query);
    const setKey = termSetKey(terms);
    const tiers = new Uint8Array(scores.length);
    const highest = [0, 0, 0];
    for (let doc = 0; doc < scores.length; doc++) {
      const tier = this.#tier(doc, key, setKey, scores[doc]! > 0 || terms.length === 0);
      tiers[doc] = tier;
      highest[tier] = Math.max(highest[tier]!, scores[doc]!);
    }
    const bonus = [0, highest[0]! + 1, highest[0]! + highest[1]! + 2];
    const tags = this.#filterSet(this.#parts.tagNames, options.tags);
    const methods = this.#filterSet(this.#parts.methodNames, options.methods);
    const best = new TopHits(limit);
    for (let doc = 0; doc < scores.length; doc++) {
      const tier = tiers[doc]!;
      if ((scores[doc]! > 0 || tier === 2) && this.#accepts(doc, tags, methods)) {
        best.offer(this.#parts.ids[doc]!, scores[doc]! + bonus[tier]!);
      }
    }
    return best.hits;
  }

  /** 2 for the exact name or operationId, 1 for a name with exactly the query's terms, else 0. */
  #tier(doc: number, key: number, setKey: number, matched: boolean): number {
    const parts = this.#parts;
    // Requiring a term to match as well makes a hash collision with an unrelated name practically harmless.
    if (!matched) return 0;
    if (parts.nameHashes[doc] === key || parts.operationIdHashes[doc] === key) return 2;
    const sameTerms = parts.nameTermHashes[doc] === setKey || parts.operationIdTermHashes[doc] === setKey;
    return sameTerms && setKey !== 0 ? 1 : 0;
  }

  toJSON(): OperationIndexJson {
    const parts = this.#parts;
    const postingDocs = Array.from(parts.postingDocs);
    // Delta-encoding each term's sorted docs makes the numbers short, and the JSON with them.
    for (let term = 0; term < parts.terms.length; term++) {
      for (let posting = parts.termOffsets[term + 1]! - 1; posting > parts.termOffsets[term]!; posting--) {
        postingDocs[posting]! -= postingDocs[posting - 1]!;
      }
    }
    return {
      format: FORMAT,
      version: VERSION,
      ids: Array.from(parts.ids),
      methodNames: parts.methodNames,
      methods: Array.from(parts.methods),
      nameHashes: Array.from(parts.nameHashes),
      operationIdHashes: Array.from(parts.operationIdHashes),
      nameTermHashes: Array.from(parts.nameTermHashes),
      operationIdTermHashes: Array.from(parts.operationIdTermHashes),
      tagNames: parts.tagNames,
      tagCounts: countsFromOffsets(parts.tagOffsets),
      tags: Array.from(parts.tags),
      terms: parts.terms,
      postingCounts: countsFromOffsets(parts.termOffsets),
      postingDocs,
      postingWeights: Array.from(parts.postingWeights),
    };
  }

  static fromJSON(json: unknown): OperationIndex {
    const data = (json ?? {}) as Record<string, unknown>;
    if (data.format !== FORMAT || data.version !== VERSION) invalid(`expected ${FORMAT} version ${VERSION}`);
    const ids = numbers(data, 'ids');
    const termOffsets = offsetsFromCounts(numbers(data, 'postingCounts'));
    const tagOffsets = offsetsFromCounts(numbers(data, 'tagCounts'));
    const postingDocs = Uint32Array.from(numbers(data, 'postingDocs'));
    const parts: IndexParts = {
      ids: Uint32Array.from(ids),
      methodNames: strings(data, 'methodNames'),
      methods: Uint16Array.from(numbers(data, 'methods')),
      nameHashes: Uint32Array.from(numbers(data, 'nameHashes')),
      operationIdHashes: Uint32Array.from(numbers(data, 'operationIdHashes')),
      nameTermHashes: Uint32Array.from(numbers(data, 'nameTermHashes')),
      operationIdTermHashes: Uint32Array.from(numbers(data, 'operationIdTermHashes')),
      tagNames: strings(data, 'tagNames'),
      tagOffsets,
      tags: Uint32Array.from(numbers(data, 'tags')),
      terms: strings(data, 'terms'),
      termOffsets,
      postingDocs,
      postingWeights: Uint16Array.from(numbers(data, 'postingWeights')),
    };
    const size = ids.length;
    const postings = termOffsets[termOffsets.length - 1]!;
    if (
      parts.methods.length !== size ||
      parts.nameHashes.length !== size ||
      parts.operationIdHashes.length !== size ||
      parts.nameTermHashes.length !== size ||
      parts.operationIdTermHashes.length !== size ||
      tagOffsets.length !== size + 1 ||
      parts.tags.length !== tagOffsets[size] ||
      parts.terms.length !== termOffsets.length - 1 ||
      postingDocs.length !== postings ||
      parts.postingWeights.length !== postings
    ) {
      invalid('its arrays do not fit together');
    }
    for (let term = 0; term < parts.terms.length; term++) {
      for (let posting = termOffsets[term]! + 1; posting < termOffsets[term + 1]!; posting++) {
        postingDocs[posting]! += postingDocs[posting - 1]!;
      }
    }
    if (postingDocs.some((doc) => doc >= size)) invalid('a posting points past the last operation');
    return new OperationIndex(parts);
  }

  /** Approximately the bytes this index holds: its typed arrays plus its strings with V8's overheads. */
  byteSize(): number {
    const parts = this.#parts;
    const strings = (values: string[]) => values.reduce((sum, value) => sum + value.length + 24, 0);
    let bytes = 200 + strings(parts.terms) + strings(parts.methodNames) + strings(parts.tagNames);
    for (const value of Object.values(parts)) {
      if (ArrayBuffer.isView(value)) bytes += value.byteLength;
    }
    return bytes;
  }
}
