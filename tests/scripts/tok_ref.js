// tok_ref.js: reference tokenizers (npm tiktoken, HF tokenizers) for lmkit's parity tests and
// benchmarks. Never part of the build; needs NODE_PATH pointing at a node_modules holding
// `tiktoken` and `tokenizers` (install them outside the repository, e.g. /work/npm-ref).
//
//   node tok_ref.js tiktoken-ids FILE.jsonl [--ordinary] [--encoding NAME]
//                                                          one [ids] line per document (default r50k_base)
//   node tok_ref.js hf-ids TOKENIZER.json FILE.jsonl       HF encode(text).ids per document
//   node tok_ref.js hf-decode TOKENIZER.json IDS.jsonl     HF decode(ids) as {"text"} lines
//   node tok_ref.js write-tiktoken OUT [--encoding NAME]   an encoding's ranks as a .tiktoken file
//   node tok_ref.js bench-tiktoken FILE.jsonl              MB/s of tiktoken encode, one thread
//   node tok_ref.js bench-hf TOKENIZER.json FILE.jsonl     MB/s of HF encode, one thread
//   node tok_ref.js hf-train-bpe VOCAB OUT.json FILE.txt   HF BpeTrainer (byte-level), seconds
'use strict';
const fs = require('fs');

function docs(path, field = 'text') {
  const out = [];
  for (const line of fs.readFileSync(path, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    out.push(JSON.parse(line)[field]);
  }
  return out;
}

function encodingName(args) {
  const k = args.indexOf('--encoding');
  return k >= 0 ? args[k + 1] : 'r50k_base';
}

function r50k(name = 'r50k_base') {
  const { Tiktoken } = require('tiktoken/lite');
  const spec = require('tiktoken/encoders/' + name + '.json');
  return new Tiktoken(spec.bpe_ranks, spec.special_tokens, spec.pat_str);
}

async function main() {
  const [cmd, ...args] = process.argv.slice(2);
  const write = (s) => process.stdout.write(s);
  if (cmd === 'tiktoken-ids') {
    const enc = r50k(encodingName(args));
    const ordinary = args.includes('--ordinary');
    let out = [];
    for (const t of docs(args[0])) {
      const ids = ordinary ? enc.encode_ordinary(t) : enc.encode(t, 'all');
      out.push('[' + Array.from(ids).join(',') + ']\n');
      if (out.length > 1000) { write(out.join('')); out = []; }
    }
    write(out.join(''));
    enc.free();
  } else if (cmd === 'write-tiktoken') {
    // tiktoken/lite's compact rank list: "! START tok tok ..." lines give consecutive ranks.
    const spec = require('tiktoken/encoders/' + encodingName(args) + '.json');
    const lines = [];
    for (const line of spec.bpe_ranks.split('\n')) {
      if (line === '') continue;
      const parts = line.split(' ');
      if (parts[0] === '!') {
        const start = parseInt(parts[1], 10);
        for (let i = 2; i < parts.length; i++) lines.push(parts[i] + ' ' + (start + i - 2));
      } else {
        lines.push(line);
      }
    }
    fs.writeFileSync(args[0], lines.join('\n') + '\n');
  } else if (cmd === 'hf-ids') {
    const { Tokenizer } = require('tokenizers');
    const tk = Tokenizer.fromFile(args[0]);
    let out = [];
    for (const t of docs(args[1])) {
      const e = await tk.encode(t);
      out.push('[' + e.getIds().join(',') + ']\n');
    }
    write(out.join(''));
  } else if (cmd === 'hf-decode') {
    const { Tokenizer } = require('tokenizers');
    const tk = Tokenizer.fromFile(args[0]);
    for (const line of fs.readFileSync(args[1], 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      write(JSON.stringify({ text: await tk.decode(JSON.parse(line), false) }) + '\n');
    }
  } else if (cmd === 'bench-tiktoken' || cmd === 'bench-hf') {
    const texts = docs(cmd === 'bench-hf' ? args[1] : args[0]);
    const bytes = texts.reduce((n, t) => n + Buffer.byteLength(t), 0);
    let encode, tokens = 0;
    if (cmd === 'bench-tiktoken') {
      const enc = r50k();
      encode = async (t) => enc.encode(t, 'all').length;
    } else {
      // encodeBatch in groups (with RAYON_NUM_THREADS=1 for one thread): one call per document
      // would mostly measure node's async overhead.
      const { Tokenizer } = require('tokenizers');
      const tk = Tokenizer.fromFile(args[0]);
      encode = null;
      const t0 = process.hrtime.bigint();
      const c0 = process.cpuUsage();
      for (let i = 0; i < texts.length; i += 64) {
        const encs = await tk.encodeBatch(texts.slice(i, i + 64));
        for (const e of encs) tokens += e.getIds().length;
      }
      const s = Number(process.hrtime.bigint() - t0) / 1e9;
      const c = process.cpuUsage(c0);
      const cpu = (c.user + c.system) / 1e6;
      write(JSON.stringify({ seconds: s, cpu_seconds: cpu, bytes, tokens, mb_per_s: bytes / 1e6 / s,
                             mb_per_cpu_s: bytes / 1e6 / cpu }) + '\n');
      return;
    }
    // Wall and CPU time of the encode loop only (CPU time is what a loaded machine keeps fair).
    const t0 = process.hrtime.bigint();
    const c0 = process.cpuUsage();
    for (const t of texts) tokens += await encode(t);
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    const c = process.cpuUsage(c0);
    const cpu = (c.user + c.system) / 1e6;
    write(JSON.stringify({ seconds: s, cpu_seconds: cpu, bytes, tokens, mb_per_s: bytes / 1e6 / s,
                           mb_per_cpu_s: bytes / 1e6 / cpu }) + '\n');
  } else if (cmd === 'hf-train-bpe') {
    const { Tokenizer, BPE, byteLevelPreTokenizer, byteLevelDecoder } = require('tokenizers');
    void BPE; void byteLevelPreTokenizer; void byteLevelDecoder;
    throw new Error('hf-train-bpe: see bench-tok.sh');
  } else {
    process.stderr.write('usage: see the header of tok_ref.js\n');
    process.exit(2);
  }
}
main().catch((e) => { process.stderr.write(String(e.stack || e) + '\n'); process.exit(1); });
