;; Byte scans over JSON text for src/wasm/json-scan.ts, 16 bytes at a time (WebAssembly SIMD).
;; A JavaScript loop reads about one byte per 3.5 ns at best and much slower before V8 optimizes
;; it, which on a start-up is most of the time; these read whole blocks in a few instructions.
;; The text lies in the imported memory; every function reads only below `end`.
;; Assembled by scripts/wasm.mjs into json-scan-binary.ts.
(module
  (import "env" "memory" (memory 1))

  ;; The index just past the string whose opening quote is at `pos`, or -1 if it is not closed
  ;; before `end`. A backslash escapes the byte after it.
  (func $stringEnd (export "stringEnd") (param $pos i32) (param $end i32) (result i32)
    (local $j i32) (local $v v128) (local $mask i32) (local $c i32)
    (local.set $j (i32.add (local.get $pos) (i32.const 1)))
    (block $done
      (loop $next
        (if (i32.le_u (i32.add (local.get $j) (i32.const 16)) (local.get $end))
          (then
            (local.set $v (v128.load align=1 (local.get $j)))
            (local.set $mask (i8x16.bitmask (v128.or
              (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x22)))
              (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x5c))))))
            (if (i32.eqz (local.get $mask))
              (then (local.set $j (i32.add (local.get $j) (i32.const 16))) (br $next)))
            (local.set $j (i32.add (local.get $j) (i32.ctz (local.get $mask)))))
          (else
            (br_if $done (i32.ge_u (local.get $j) (local.get $end)))
            (local.set $c (i32.load8_u (local.get $j)))
            (if (i32.and (i32.ne (local.get $c) (i32.const 0x22)) (i32.ne (local.get $c) (i32.const 0x5c)))
              (then (local.set $j (i32.add (local.get $j) (i32.const 1))) (br $next)))))
        ;; At a quote or a backslash.
        (if (i32.eq (i32.load8_u (local.get $j)) (i32.const 0x5c))
          (then (local.set $j (i32.add (local.get $j) (i32.const 2))) (br $next)))
        (return (i32.add (local.get $j) (i32.const 1)))))
    (i32.const -1))

  ;; The index just past the object or array whose opening bracket is at `pos`, or -1 if it is not
  ;; closed before `end`. Brackets are counted, not matched by kind; strings are skipped whole.
  (func $containerEnd (export "containerEnd") (param $pos i32) (param $end i32) (result i32)
    (local $j i32) (local $v v128) (local $w v128) (local $mask i32) (local $c i32) (local $depth i32)
    (local.set $j (local.get $pos))
    (block $done
      (loop $next
        (if (i32.le_u (i32.add (local.get $j) (i32.const 16)) (local.get $end))
          (then
            (local.set $v (v128.load align=1 (local.get $j)))
            ;; 0x20 folds '[' onto '{' and ']' onto '}', and nothing else onto either.
            (local.set $w (v128.or (local.get $v) (i8x16.splat (i32.const 0x20))))
            (local.set $mask (i8x16.bitmask (v128.or
              (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x22)))
              (v128.or
                (i8x16.eq (local.get $w) (i8x16.splat (i32.const 0x7b)))
                (i8x16.eq (local.get $w) (i8x16.splat (i32.const 0x7d)))))))
            (if (i32.eqz (local.get $mask))
              (then (local.set $j (i32.add (local.get $j) (i32.const 16))) (br $next)))
            (local.set $j (i32.add (local.get $j) (i32.ctz (local.get $mask))))
            (local.set $c (i32.load8_u (local.get $j))))
          (else
            (br_if $done (i32.ge_u (local.get $j) (local.get $end)))
            (local.set $c (i32.load8_u (local.get $j)))
            (if (i32.and
                  (i32.ne (local.get $c) (i32.const 0x22))
                  (i32.and
                    (i32.ne (i32.or (local.get $c) (i32.const 0x20)) (i32.const 0x7b))
                    (i32.ne (i32.or (local.get $c) (i32.const 0x20)) (i32.const 0x7d))))
              (then (local.set $j (i32.add (local.get $j) (i32.const 1))) (br $next)))))
        (if (i32.eq (local.get $c) (i32.const 0x22))
          (then
            (local.set $j (call $stringEnd (local.get $j) (local.get $end)))
            (br_if $done (i32.lt_s (local.get $j) (i32.const 0)))
            (br $next)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (if (i32.eq (i32.or (local.get $c) (i32.const 0x20)) (i32.const 0x7b))
          (then (local.set $depth (i32.add (local.get $depth) (i32.const 1))) (br $next)))
        (local.set $depth (i32.sub (local.get $depth) (i32.const 1)))
        (br_if $next (i32.gt_s (local.get $depth) (i32.const 0)))
        (return (local.get $j))))
    (i32.const -1))

  ;; The index of the first byte from `pos` below `end` that is not ASCII (0x80 or more), or -1.
  (func (export "nonAscii") (param $pos i32) (param $end i32) (result i32)
    (local $j i32) (local $mask i32)
    (local.set $j (local.get $pos))
    (block $tail
      (loop $block
        (br_if $tail (i32.gt_u (i32.add (local.get $j) (i32.const 16)) (local.get $end)))
        ;; The bitmask is each byte's top bit.
        (local.set $mask (i8x16.bitmask (v128.load align=1 (local.get $j))))
        (if (local.get $mask)
          (then (return (i32.add (local.get $j) (i32.ctz (local.get $mask))))))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $block)))
    (block $none
      (loop $byte
        (br_if $none (i32.ge_u (local.get $j) (local.get $end)))
        (if (i32.ge_u (i32.load8_u (local.get $j)) (i32.const 0x80))
          (then (return (local.get $j))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $byte)))
    (i32.const -1))
;; The index of the first `"$ref"` whose value is a string not starting with '#' (a ref into
  ;; another document), or -1. It looks for the rare '$' first, a block at a time.
  (func (export "externalRef") (param $pos i32) (param $end i32) (result i32)
    (local $j i32) (local $k i32) (local $mask i32)
    (local.set $j (local.get $pos))
    (block $none
      (loop $next
        (if (i32.le_u (i32.add (local.get $j) (i32.const 16)) (local.get $end))
          (then
            (local.set $mask (i8x16.bitmask
              (i8x16.eq (v128.load align=1 (local.get $j)) (i8x16.splat (i32.const 0x24)))))
            (if (i32.eqz (local.get $mask))
              (then (local.set $j (i32.add (local.get $j) (i32.const 16))) (br $next)))
            (local.set $j (i32.add (local.get $j) (i32.ctz (local.get $mask)))))
          (else
            (br_if $none (i32.ge_u (local.get $j) (local.get $end)))
            (if (i32.ne (i32.load8_u (local.get $j)) (i32.const 0x24))
              (then (local.set $j (i32.add (local.get $j) (i32.const 1))) (br $next)))))
        ;; At a '$': is it `"$ref"` (the bytes `ref"` read as one little-endian word)? WebAssembly's
        ;; `and` evaluates both sides, so each load is guarded by an `if` of its own.
        (if (i32.and
              (i32.gt_u (local.get $j) (local.get $pos))
              (i32.le_u (i32.add (local.get $j) (i32.const 5)) (local.get $end)))
          (then
            (if (i32.and
                  (i32.eq (i32.load8_u (i32.sub (local.get $j) (i32.const 1))) (i32.const 0x22))
                  (i32.eq (i32.load align=1 (i32.add (local.get $j) (i32.const 1))) (i32.const 0x22666572)))
              (then
                ;; Past spaces and the colon, a string whose first character is not '#'.
                (local.set $k (i32.add (local.get $j) (i32.const 5)))
                (block $value
                  (loop $space
                    (br_if $value (i32.ge_u (local.get $k) (local.get $end)))
                    (br_if $value (i32.eqz (call $isSpaceOrColon (i32.load8_u (local.get $k)))))
                    (local.set $k (i32.add (local.get $k) (i32.const 1)))
                    (br $space)))
                (if (i32.lt_u (local.get $k) (local.get $end))
                  (then
                    (if (i32.eq (i32.load8_u (local.get $k)) (i32.const 0x22))
                      (then
                        (if (i32.ge_u (i32.add (local.get $k) (i32.const 1)) (local.get $end))
                          (then (return (i32.sub (local.get $j) (i32.const 1)))))
                        (if (i32.ne (i32.load8_u (i32.add (local.get $k) (i32.const 1))) (i32.const 0x23))
                          (then (return (i32.sub (local.get $j) (i32.const 1)))))))))))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $next)))
    (i32.const -1))

;; Finds, in the `paths` object in [pos, end), the members of every object three levels in (an
  ;; operation: paths, path item, operation) whose values a catalog reads later or never: each
  ;; `responses`, and each `externalDocs` and vendor extension (`x-...`). Writes each value's range
  ;; to `table`, two words per value, in order, the start with its top bit set for a member never
  ;; read. Answers how many there are, or -1 when a string or container is not closed (the caller
  ;; then parses the text as it is, which reports it).
  ;; Structural bytes are found a block at a time; whatever lies between them is not looked at.
  (func (export "cutPaths") (param $pos i32) (param $end i32) (param $table i32) (result i32)
    (local $j i32) (local $v v128) (local $w v128) (local $mask i32) (local $c i32)
    (local $depth i32) (local $operation i32) (local $keyNext i32) (local $n i32)
    (local $k i32) (local $valueEnd i32) (local $unread i32)
    (local.set $j (local.get $pos))
    (block $done
      (loop $next
        ;; To the next quote, bracket or comma.
        (if (i32.le_u (i32.add (local.get $j) (i32.const 16)) (local.get $end))
          (then
            (local.set $v (v128.load align=1 (local.get $j)))
            (local.set $w (v128.or (local.get $v) (i8x16.splat (i32.const 0x20))))
            (local.set $mask (i8x16.bitmask (v128.or
              (v128.or
                (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x22)))
                (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x2c))))
              (v128.or
                (i8x16.eq (local.get $w) (i8x16.splat (i32.const 0x7b)))
                (i8x16.eq (local.get $w) (i8x16.splat (i32.const 0x7d)))))))
            (if (i32.eqz (local.get $mask))
              (then (local.set $j (i32.add (local.get $j) (i32.const 16))) (br $next)))
            (local.set $j (i32.add (local.get $j) (i32.ctz (local.get $mask))))
            (local.set $c (i32.load8_u (local.get $j))))
          (else
            (br_if $done (i32.ge_u (local.get $j) (local.get $end)))
            (local.set $c (i32.load8_u (local.get $j)))
            (if (i32.and
                  (i32.and (i32.ne (local.get $c) (i32.const 0x22)) (i32.ne (local.get $c) (i32.const 0x2c)))
                  (i32.and
                    (i32.ne (i32.or (local.get $c) (i32.const 0x20)) (i32.const 0x7b))
                    (i32.ne (i32.or (local.get $c) (i32.const 0x20)) (i32.const 0x7d))))
              (then (local.set $j (i32.add (local.get $j) (i32.const 1))) (br $next)))))
        (if (i32.eq (local.get $c) (i32.const 0x22))
          (then
            ;; At a key of an operation: $k is past it when its member is one to cut, else 0.
            (local.set $k (i32.const 0))
            (if (local.get $keyNext)
              (then
                (local.set $unread (i32.const 0))
                (if (call $isResponsesKey (local.get $j) (local.get $end))
                  (then (local.set $k (i32.add (local.get $j) (i32.const 11))))
                  (else
                    (local.set $k (call $unreadKeyEnd (local.get $j) (local.get $end)))
                    (if (i32.lt_s (local.get $k) (i32.const 0)) (then (return (i32.const -1))))
                    (local.set $unread (i32.const 0x80000000))))))
            (if (local.get $k)
              (then
                ;; Past the key, spaces and the colon: the value.
                (block $value
                  (loop $space
                    (br_if $value (i32.ge_u (local.get $k) (local.get $end)))
                    (br_if $value (i32.eqz (call $isSpaceOrColon (i32.load8_u (local.get $k)))))
                    (local.set $k (i32.add (local.get $k) (i32.const 1)))
                    (br $space)))
                (local.set $valueEnd (call $valueEnd (local.get $k) (local.get $end)))
                (if (i32.lt_s (local.get $valueEnd) (i32.const 0)) (then (return (i32.const -1))))
                (i32.store (i32.add (local.get $table) (i32.shl (local.get $n) (i32.const 3)))
                  (i32.or (local.get $k) (local.get $unread)))
                (i32.store (i32.add (local.get $table) (i32.add (i32.shl (local.get $n) (i32.const 3)) (i32.const 4)))
                  (local.get $valueEnd))
                (local.set $n (i32.add (local.get $n) (i32.const 1)))
                (local.set $j (local.get $valueEnd))
                (local.set $keyNext (i32.const 0))
                (br $next)))
            (local.set $j (call $stringEnd (local.get $j) (local.get $end)))
            (if (i32.lt_s (local.get $j) (i32.const 0)) (then (return (i32.const -1))))
            (local.set $keyNext (i32.const 0))
            (br $next)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (if (i32.eq (local.get $c) (i32.const 0x2c))
          (then
            (local.set $keyNext (i32.and (i32.eq (local.get $depth) (i32.const 3)) (local.get $operation)))
            (br $next)))
        (if (i32.eq (i32.or (local.get $c) (i32.const 0x20)) (i32.const 0x7b))
          (then
            (local.set $depth (i32.add (local.get $depth) (i32.const 1)))
            (if (i32.eq (local.get $depth) (i32.const 3))
              (then (local.set $operation (i32.eq (local.get $c) (i32.const 0x7b)))))
            (local.set $keyNext (i32.and (i32.eq (local.get $depth) (i32.const 3)) (local.get $operation)))
            (br $next)))
        (local.set $depth (i32.sub (local.get $depth) (i32.const 1)))
        (local.set $keyNext (i32.const 0))
        (br $next)))
    (local.get $n))

  ;; Whether the eleven bytes from `pos` are `"responses"`, both quotes included (the closing one
  ;; cannot be escaped: an 's' comes before it).
  (func $isResponsesKey (param $pos i32) (param $end i32) (result i32)
    (if (i32.gt_u (i32.add (local.get $pos) (i32.const 11)) (local.get $end)) (then (return (i32.const 0))))
    ;; `"respons` and `es"` as little-endian words.
    (i32.and
      (i64.eq (i64.load align=1 (local.get $pos)) (i64.const 0x736e6f7073657222))
      (i32.eq (i32.and (i32.load align=1 (i32.add (local.get $pos) (i32.const 8))) (i32.const 0xffffff))
        (i32.const 0x227365))))

  ;; Just past the key whose opening quote is at `pos` when it names a member of an operation that
  ;; a catalog never reads, `externalDocs` or a vendor extension `x-...`; 0 for any other key, -1
  ;; when the key is not closed.
  (func $unreadKeyEnd (param $pos i32) (param $end i32) (result i32)
    (if (i32.gt_u (i32.add (local.get $pos) (i32.const 3)) (local.get $end)) (then (return (i32.const 0))))
    ;; `x-` after the quote, as a little-endian half-word.
    (if (i32.eq (i32.load16_u align=1 (i32.add (local.get $pos) (i32.const 1))) (i32.const 0x2d78))
      (then (return (call $stringEnd (local.get $pos) (local.get $end)))))
    (if (i32.gt_u (i32.add (local.get $pos) (i32.const 14)) (local.get $end)) (then (return (i32.const 0))))
    ;; `"externa`, `lDoc` and `s"`, both quotes included.
    (if (result i32)
      (i32.and
        (i64.eq (i64.load align=1 (local.get $pos)) (i64.const 0x616e726574786522))
        (i32.and
          (i32.eq (i32.load align=1 (i32.add (local.get $pos) (i32.const 8))) (i32.const 0x636f446c))
          (i32.eq (i32.load16_u align=1 (i32.add (local.get $pos) (i32.const 12))) (i32.const 0x2273))))
      (then (i32.add (local.get $pos) (i32.const 14)))
      (else (i32.const 0))))

  ;; The end of the value starting at `pos` (a string, a container, or a scalar up to a delimiter),
  ;; or -1 when it is not closed before `end` or there is none.
  (func $valueEnd (param $pos i32) (param $end i32) (result i32)
    (local $j i32) (local $c i32)
    (if (i32.ge_u (local.get $pos) (local.get $end)) (then (return (i32.const -1))))
    (local.set $c (i32.load8_u (local.get $pos)))
    (if (i32.eq (local.get $c) (i32.const 0x22))
      (then (return (call $stringEnd (local.get $pos) (local.get $end)))))
    (if (i32.eq (i32.or (local.get $c) (i32.const 0x20)) (i32.const 0x7b))
      (then (return (call $containerEnd (local.get $pos) (local.get $end)))))
    (local.set $j (local.get $pos))
    (block $scalar
      (loop $byte
        (br_if $scalar (i32.ge_u (local.get $j) (local.get $end)))
        (local.set $c (i32.load8_u (local.get $j)))
        (br_if $scalar (i32.or
          (i32.or (i32.eq (local.get $c) (i32.const 0x2c)) (i32.eq (i32.or (local.get $c) (i32.const 0x20)) (i32.const 0x7d)))
          (call $isSpaceOrColon (local.get $c))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $byte)))
    (if (result i32) (i32.eq (local.get $j) (local.get $pos)) (then (i32.const -1)) (else (local.get $j))))

  (func $isSpaceOrColon (param $c i32) (result i32)
    (i32.or
      (i32.or (i32.eq (local.get $c) (i32.const 0x20)) (i32.eq (local.get $c) (i32.const 0x3a)))
      (i32.or (i32.eq (local.get $c) (i32.const 0x0a))
        (i32.or (i32.eq (local.get $c) (i32.const 0x0d)) (i32.eq (local.get $c) (i32.const 0x09))))))

  ;; 1 when [pos, end) holds exactly one JSON value (RFC 8259) with whitespace around it, else 0.
  ;; The caller has checked that the bytes are UTF-8. `stack` is room for one byte per level of
  ;; nesting (the closing bracket each open container expects). Strings are read a block at a time.
  (func (export "validate") (param $pos i32) (param $end i32) (param $stack i32) (result i32)
    (local $j i32) (local $c i32) (local $depth i32) (local $top i32)
    (local.set $j (local.get $pos))
    (block $bad
      (loop $value
        ;; A value starts at or after j.
        (local.set $j (call $ws (local.get $j) (local.get $end)))
        (br_if $bad (i32.ge_u (local.get $j) (local.get $end)))
        (local.set $c (i32.load8_u (local.get $j)))
        (block $ended
          (if (i32.eq (i32.or (local.get $c) (i32.const 0x20)) (i32.const 0x7b))
            (then
              ;; `{` or `[`: the closer is two more, `}` or `]`.
              (i32.store8 (i32.add (local.get $stack) (local.get $depth)) (i32.add (local.get $c) (i32.const 2)))
              (local.set $depth (i32.add (local.get $depth) (i32.const 1)))
              (local.set $j (call $ws (i32.add (local.get $j) (i32.const 1)) (local.get $end)))
              (br_if $bad (i32.ge_u (local.get $j) (local.get $end)))
              (if (i32.eq (i32.load8_u (local.get $j)) (i32.add (local.get $c) (i32.const 2)))
                (then
                  (local.set $depth (i32.sub (local.get $depth) (i32.const 1)))
                  (local.set $j (i32.add (local.get $j) (i32.const 1)))
                  (br $ended)))
              (if (i32.eq (local.get $c) (i32.const 0x7b))
                (then
                  (local.set $j (call $key (local.get $j) (local.get $end)))
                  (br_if $bad (i32.lt_s (local.get $j) (i32.const 0)))))
              (br $value)))
          (local.set $j (call $scalar (local.get $j) (local.get $end)))
          (br_if $bad (i32.lt_s (local.get $j) (i32.const 0))))
        ;; Just past a value: close what it ends, then the next member or item.
        (loop $close
          (local.set $j (call $ws (local.get $j) (local.get $end)))
          (if (i32.eqz (local.get $depth))
            (then (return (i32.eq (local.get $j) (local.get $end)))))
          (br_if $bad (i32.ge_u (local.get $j) (local.get $end)))
          (local.set $c (i32.load8_u (local.get $j)))
          (local.set $top (i32.load8_u (i32.add (local.get $stack) (i32.sub (local.get $depth) (i32.const 1)))))
          (if (i32.eq (local.get $c) (local.get $top))
            (then
              (local.set $depth (i32.sub (local.get $depth) (i32.const 1)))
              (local.set $j (i32.add (local.get $j) (i32.const 1)))
              (br $close)))
          (br_if $bad (i32.ne (local.get $c) (i32.const 0x2c)))
          (local.set $j (call $ws (i32.add (local.get $j) (i32.const 1)) (local.get $end)))
          (if (i32.eq (local.get $top) (i32.const 0x7d))
            (then
              (local.set $j (call $key (local.get $j) (local.get $end)))
              (br_if $bad (i32.lt_s (local.get $j) (i32.const 0)))))
          (br $value))))
    (i32.const 0))

  ;; Past the whitespace from `pos` (at most `end`).
  (func $ws (param $pos i32) (param $end i32) (result i32)
    (local $c i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $pos) (local.get $end)))
        (local.set $c (i32.load8_u (local.get $pos)))
        (br_if $done (i32.eqz (i32.or
          (i32.or (i32.eq (local.get $c) (i32.const 0x20)) (i32.eq (local.get $c) (i32.const 0x0a)))
          (i32.or (i32.eq (local.get $c) (i32.const 0x0d)) (i32.eq (local.get $c) (i32.const 0x09))))))
        (local.set $pos (i32.add (local.get $pos) (i32.const 1)))
        (br $next)))
    (local.get $pos))

  ;; A member's key at `pos` and its colon: just past the colon, or -1.
  (func $key (param $pos i32) (param $end i32) (result i32)
    (if (i32.ge_u (local.get $pos) (local.get $end)) (then (return (i32.const -1))))
    (if (i32.ne (i32.load8_u (local.get $pos)) (i32.const 0x22)) (then (return (i32.const -1))))
    (local.set $pos (call $string (local.get $pos) (local.get $end)))
    (if (i32.lt_s (local.get $pos) (i32.const 0)) (then (return (i32.const -1))))
    (local.set $pos (call $ws (local.get $pos) (local.get $end)))
    (if (i32.ge_u (local.get $pos) (local.get $end)) (then (return (i32.const -1))))
    (if (i32.ne (i32.load8_u (local.get $pos)) (i32.const 0x3a)) (then (return (i32.const -1))))
    (i32.add (local.get $pos) (i32.const 1)))

  ;; A string, number, `true`, `false` or `null` at `pos`: just past it, or -1.
  (func $scalar (param $pos i32) (param $end i32) (result i32)
    (local $c i32)
    (local.set $c (i32.load8_u (local.get $pos)))
    (if (i32.eq (local.get $c) (i32.const 0x22)) (then (return (call $string (local.get $pos) (local.get $end)))))
    (if (i32.or (i32.eq (local.get $c) (i32.const 0x2d)) (i32.lt_u (i32.sub (local.get $c) (i32.const 0x30)) (i32.const 10)))
      (then (return (call $number (local.get $pos) (local.get $end)))))
    ;; `true` and `null` as little-endian words; `false` as `f` and `alse`.
    (if (i32.le_u (i32.add (local.get $pos) (i32.const 4)) (local.get $end))
      (then
        (if (i32.or
              (i32.eq (i32.load align=1 (local.get $pos)) (i32.const 0x65757274))
              (i32.eq (i32.load align=1 (local.get $pos)) (i32.const 0x6c6c756e)))
          (then (return (i32.add (local.get $pos) (i32.const 4)))))))
    (if (i32.and (i32.eq (local.get $c) (i32.const 0x66)) (i32.le_u (i32.add (local.get $pos) (i32.const 5)) (local.get $end)))
      (then
        (if (i32.eq (i32.load align=1 (i32.add (local.get $pos) (i32.const 1))) (i32.const 0x65736c61))
          (then (return (i32.add (local.get $pos) (i32.const 5)))))))
    (i32.const -1))

  ;; The string whose opening quote is at `pos`: just past its closing quote, or -1 when it has a
  ;; control character or a bad escape, or is not closed.
  (func $string (param $pos i32) (param $end i32) (result i32)
    (local $j i32) (local $v v128) (local $mask i32) (local $c i32) (local $k i32)
    (local.set $j (i32.add (local.get $pos) (i32.const 1)))
    (loop $next
      ;; To the next quote, backslash or control character.
      (if (i32.le_u (i32.add (local.get $j) (i32.const 16)) (local.get $end))
        (then
          (local.set $v (v128.load align=1 (local.get $j)))
          (local.set $mask (i8x16.bitmask (v128.or
            (v128.or
              (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x22)))
              (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x5c))))
            (i8x16.lt_u (local.get $v) (i8x16.splat (i32.const 0x20))))))
          (if (i32.eqz (local.get $mask))
            (then (local.set $j (i32.add (local.get $j) (i32.const 16))) (br $next)))
          (local.set $j (i32.add (local.get $j) (i32.ctz (local.get $mask)))))
        (else
          (if (i32.ge_u (local.get $j) (local.get $end)) (then (return (i32.const -1))))
          (local.set $c (i32.load8_u (local.get $j)))
          (if (i32.and (i32.and (i32.ne (local.get $c) (i32.const 0x22)) (i32.ne (local.get $c) (i32.const 0x5c)))
                (i32.ge_u (local.get $c) (i32.const 0x20)))
            (then (local.set $j (i32.add (local.get $j) (i32.const 1))) (br $next)))))
      (local.set $c (i32.load8_u (local.get $j)))
      (if (i32.eq (local.get $c) (i32.const 0x22)) (then (return (i32.add (local.get $j) (i32.const 1)))))
      (if (i32.lt_u (local.get $c) (i32.const 0x20)) (then (return (i32.const -1))))
      ;; A backslash: one of `"\/bfnrt`, or `u` and four hex digits.
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (if (i32.ge_u (local.get $j) (local.get $end)) (then (return (i32.const -1))))
      (local.set $c (i32.load8_u (local.get $j)))
      (if (i32.eq (local.get $c) (i32.const 0x75))
        (then
          (if (i32.gt_u (i32.add (local.get $j) (i32.const 5)) (local.get $end)) (then (return (i32.const -1))))
          (local.set $k (i32.const 1))
          (loop $hex
            (local.set $c (i32.load8_u (i32.add (local.get $j) (local.get $k))))
            (if (i32.eqz (i32.or
                  (i32.lt_u (i32.sub (local.get $c) (i32.const 0x30)) (i32.const 10))
                  (i32.lt_u (i32.sub (i32.or (local.get $c) (i32.const 0x20)) (i32.const 0x61)) (i32.const 6))))
              (then (return (i32.const -1))))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br_if $hex (i32.le_u (local.get $k) (i32.const 4))))
          (local.set $j (i32.add (local.get $j) (i32.const 5)))
          (br $next)))
      (if (i32.or
            (i32.or
              (i32.or (i32.eq (local.get $c) (i32.const 0x22)) (i32.eq (local.get $c) (i32.const 0x5c)))
              (i32.or (i32.eq (local.get $c) (i32.const 0x2f)) (i32.eq (local.get $c) (i32.const 0x62))))
            (i32.or
              (i32.or (i32.eq (local.get $c) (i32.const 0x66)) (i32.eq (local.get $c) (i32.const 0x6e)))
              (i32.or (i32.eq (local.get $c) (i32.const 0x72)) (i32.eq (local.get $c) (i32.const 0x74)))))
        (then (local.set $j (i32.add (local.get $j) (i32.const 1))) (br $next)))
      (return (i32.const -1)))
    (i32.const -1))

  ;; The number at `pos` (`-`, then `0` or digits not starting with 0, then an optional fraction
  ;; and exponent): just past it, or -1.
  (func $number (param $pos i32) (param $end i32) (result i32)
    (if (i32.eq (i32.load8_u (local.get $pos)) (i32.const 0x2d))
      (then (local.set $pos (i32.add (local.get $pos) (i32.const 1)))))
    (if (i32.eqz (call $isDigit (local.get $pos) (local.get $end))) (then (return (i32.const -1))))
    (if (i32.eq (i32.load8_u (local.get $pos)) (i32.const 0x30))
      (then (local.set $pos (i32.add (local.get $pos) (i32.const 1))))
      (else (local.set $pos (call $digits (local.get $pos) (local.get $end)))))
    (if (i32.and (i32.lt_u (local.get $pos) (local.get $end)) (i32.eq (i32.load8_u (local.get $pos)) (i32.const 0x2e)))
      (then
        (local.set $pos (i32.add (local.get $pos) (i32.const 1)))
        (if (i32.eqz (call $isDigit (local.get $pos) (local.get $end))) (then (return (i32.const -1))))
        (local.set $pos (call $digits (local.get $pos) (local.get $end)))))
    (if (i32.and (i32.lt_u (local.get $pos) (local.get $end))
          (i32.eq (i32.or (i32.load8_u (local.get $pos)) (i32.const 0x20)) (i32.const 0x65)))
      (then
        (local.set $pos (i32.add (local.get $pos) (i32.const 1)))
        (if (i32.lt_u (local.get $pos) (local.get $end))
          (then
            (if (i32.or (i32.eq (i32.load8_u (local.get $pos)) (i32.const 0x2b)) (i32.eq (i32.load8_u (local.get $pos)) (i32.const 0x2d)))
              (then (local.set $pos (i32.add (local.get $pos) (i32.const 1)))))))
        (if (i32.eqz (call $isDigit (local.get $pos) (local.get $end))) (then (return (i32.const -1))))
        (local.set $pos (call $digits (local.get $pos) (local.get $end)))))
    (local.get $pos))

  (func $isDigit (param $pos i32) (param $end i32) (result i32)
    (i32.and (i32.lt_u (local.get $pos) (local.get $end))
      (i32.lt_u (i32.sub (i32.load8_u (local.get $pos)) (i32.const 0x30)) (i32.const 10))))

  (func $digits (param $pos i32) (param $end i32) (result i32)
    (loop $next
      (if (call $isDigit (local.get $pos) (local.get $end))
        (then (local.set $pos (i32.add (local.get $pos) (i32.const 1))) (br $next))))
    (local.get $pos))
)
