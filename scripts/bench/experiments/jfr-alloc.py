"""Heap allocation by site from a JFR recording (jdk.ObjectAllocationSample), grouped by the first
frame outside java.*, jdk.* and sun.*; docs/performance-gap.md, section 4. JFR's sampling weights
rank sites but overstate small objects: size a change with phases.py, not with this.

    jcmd PID JFR.start settings=profile duration=12s filename=predict.jfr   # during a measured phase
    python3 scripts/bench/experiments/jfr-alloc.py predict.jfr [requests|-] [HH:MM:SS.mmm HH:MM:SS.mmm]
"""
import json, subprocess, sys, collections
raw = subprocess.run(["jfr", "print", "--json", "--stack-depth", "64", "--events", "jdk.ObjectAllocationSample", sys.argv[1]],
                     capture_output=True, text=True).stdout
events = json.loads(raw)["recording"]["events"]
reqs = float(sys.argv[2]) if len(sys.argv) > 2 and sys.argv[2] != "-" else None
if len(sys.argv) > 4:  # only events between two wall-clock times (ISO, as jfr prints them)
    lo, hi = sys.argv[3], sys.argv[4]
    events = [e for e in events if lo <= e["values"]["startTime"][11:23] <= hi]
total = 0; by_comp = collections.Counter(); by_site = collections.Counter(); by_class = collections.Counter()
COMPS = [("dev.digits.preprocessing", "our decoding/preprocessing"), ("dev.digits.api.AccessLog", "access log"),
         ("dev.digits.serving.FeedbackTokens", "feedback token"), ("dev.digits.inference", "inference"),
         ("dev.digits.serving", "serving"), ("dev.digits.api", "our api/filters"), ("dev.digits.system", "our system"),
         ("javax.imageio", "ImageIO"), ("com.sun.imageio", "ImageIO"),
         ("tools.jackson", "Jackson"), ("com.fasterxml", "Jackson"), ("io.micrometer", "Micrometer"),
         ("org.springframework.security", "Spring Security"), ("org.springframework.web", "Spring MVC"),
         ("org.springframework", "Spring other"), ("org.apache.catalina", "Tomcat catalina"),
         ("org.apache.coyote", "Tomcat coyote"), ("org.apache.tomcat", "Tomcat util"), ("ch.qos.logback", "logback")]
for e in events:
    v = e["values"]; w = v["weight"]; total += w
    frames = [f["method"]["type"]["name"] + "." + f["method"]["name"] for f in (v["stackTrace"] or {}).get("frames", [])]
    by_class[v["objectClass"]["name"]] += w
    # the deepest non-JDK frame = the allocation site we own or a library owns
    site = next((f for f in frames if not f.startswith(("java.", "jdk.", "sun.", "javax.crypto"))), frames[0] if frames else "?")
    by_site[site] += w
    comp = next((c for p, c in COMPS if site.startswith(p)), "other: " + site.rsplit(".", 2)[0])
    by_comp[comp] += w
def show(title, c, n=15):
    print(f"-- {title}")
    for k, w in c.most_common(n):
        extra = f"  {w / reqs / 1024:7.1f} KiB/req" if reqs else ""
        print(f"  {100 * w / total:5.1f}%{extra}  {k}")
print(f"total sampled weight {total / 2**20:.0f} MiB ({len(events)} samples)" + (f", {total / reqs / 1024:.1f} KiB/req" if reqs else ""))
show("by component (first non-JDK frame)", by_comp, 20)
show("by site", by_site, 25)
show("by class", by_class, 10)
