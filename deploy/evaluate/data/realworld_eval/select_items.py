import json, re, hashlib, random
SH = '/work/shared/eval/realworld-dev/'
rows = [json.loads(l) for l in open(SH + 'kcna-2024.jsonl')]
seen = {}
for r in rows:
    sid = hashlib.sha1(r['link'].encode()).hexdigest()[:12]
    seen.setdefault(sid, r)
def split(i): return 'heldout' if int(hashlib.sha1(i.encode()).hexdigest()[:8], 16) % 10 < 3 else 'dev'
pat = re.compile(r'Russia|Moscow|Putin|Kremlin|Kursk|Lavrov|Shoigu|Vladivostok|Soviet|Primorsk|Khabarovsk|Belousov|Peskov|Zakharova|Volodin|Matviyenko', re.I)
cand = [i for i, r in seen.items() if pat.search(r['headline'] + ' ' + r['story_text'])]
rest = [i for i in seen if i not in set(cand)]
random.Random(12).shuffle(rest)
sel = cand + rest[:100]
sel.sort(key=lambda i: (seen[i]['date_str'], i))
random.Random(7).shuffle(sel)
def fmt(i):
    r = seen[i]
    return f"=== ID {i} | {r['date_str']} | {r['headline']}\n{r['story_text']}\n"
half = len(sel) // 2
for name, part in (('A', sel[:half]), ('B', sel[half:])):
    with open(f'/tmp/labelwork/relevance_{name}.txt', 'w') as fh:
        fh.write('\n'.join(fmt(i) for i in part))
    print(name, len(part))
pp = [json.loads(l) for l in open(SH + 'publisher-pages.jsonl')]
with open('/tmp/labelwork/relevance_pages.txt', 'w') as fh:
    for p in pp:
        if re.search(r'Russ|Korea|Putin|Kim Jong|Pyongyang|Moskau|Nordkorea|Russland|Kreml', p['text']):
            pid = hashlib.sha1(p['file'].encode()).hexdigest()[:12]
            fh.write(f"=== ID {pid} | {p['publisher']} ({p['country']}) | {p['title']}\n{p['text'][:4000]}\n\n")
# claims sequence: stories whose headline/topic names Russia or its officials, in date order
strong = re.compile(r'Russia|Putin|Lavrov|Shoigu|Kursk|Belousov|Volodin|Matviyenko|Soviet', re.I)
seq = [i for i, r in seen.items() if strong.search(r['headline']) and len(r['story_text'].split()) < 700]
seq.sort(key=lambda i: (seen[i]['date_str'], i))
print('claims candidates', len(seq))
with open('/tmp/labelwork/claims_sequence.txt', 'w') as fh:
    for i in seq:
        r = seen[i]
        fh.write(f"=== ID {i} | {r['date_str']} | {r['headline']}\n")
        for n, line in enumerate(r['story_text'].split('\n')):
            if line.strip():
                fh.write(f"[{n}] {line}\n")
        fh.write('\n')
json.dump({'relevance': sel, 'claims': seq}, open('/tmp/labelwork/ids.json', 'w'))
