"""CPU samples of a JFR recording (jdk.ExecutionSample) by component: for each sample, the innermost
frame that belongs to a known component ("innermost") and every component anywhere on its stack
("on stack"), as shares of the request threads' samples (threads named tomcat-*); docs/performance-gap.md,
section 11. JFR samples Java code only (native code, ND4J's forward pass among it, is not in these).

    jcmd PID JFR.start settings=profile duration=20s filename=one.jfr   # during a measured run
    python3 scripts/bench/experiments/jfr-cpu.py one.jfr
"""
import collections, json, subprocess, sys
raw = subprocess.run(["jfr", "print", "--json", "--stack-depth", "96", "--events", "jdk.ExecutionSample", sys.argv[1]],
                     capture_output=True, text=True).stdout
events = json.loads(raw)["recording"]["events"]
COMPONENTS = [
    ("dev.digits.api.AccessLog", "access log"), ("dev.digits.system.CompactStructuredLogEncoder", "log encoding"),
    ("org.springframework.boot.logging", "log encoding"), ("ch.qos.logback", "logback"),
    ("dev.digits.serving.FeedbackTokens", "feedback token"), ("dev.digits.drift", "drift"),
    ("dev.digits.preprocessing", "decoding and preprocessing"), ("javax.imageio", "decoding and preprocessing"),
    ("com.sun.imageio", "decoding and preprocessing"), ("dev.digits.inference", "inference (Java side)"),
    ("org.nd4j", "inference (Java side)"), ("tools.jackson", "Jackson"), ("com.fasterxml.jackson", "Jackson"),
    ("org.springframework.beans.factory", "bean factory lookups"),
    ("org.springframework.security.web.ObservationFilterChainDecorator", "Spring Security's observations"),
    ("io.micrometer.observation", "Micrometer observations"), ("io.micrometer.tracing", "tracing"),
    ("io.micrometer", "Micrometer metrics"), ("io.prometheus", "Micrometer metrics"),
    ("org.springframework.security", "Spring Security"), ("org.apache.commons.fileupload", "multipart"),
    ("dev.digits.api.StreamingMultipart", "multipart"), ("dev.digits.api", "the service's filters and controller"),
    ("dev.digits", "the service, other"), ("org.springframework.web", "Spring MVC"),
    ("org.springframework", "Spring, other"), ("org.apache", "Tomcat"), ("jakarta.servlet", "Tomcat")]


def component(frame):
    return next((name for prefix, name in COMPONENTS if frame.startswith(prefix)), None)


n = 0
innermost, on_stack = collections.Counter(), collections.Counter()
for e in events:
    thread = (e["values"].get("sampledThread") or {}).get("javaName") or ""
    if not thread.startswith("tomcat"):
        continue
    frames = [f["method"]["type"]["name"].replace("/", ".") + "." + f["method"]["name"]
              for f in (e["values"]["stackTrace"] or {}).get("frames", [])]
    n += 1
    innermost[next((c for c in map(component, frames) if c), "JDK only")] += 1
    for c in {component(f) for f in frames} - {None}:
        on_stack[c] += 1
print(f"{n} samples of request threads")
print(f"{'component':40s} {'innermost':>9s} {'on stack':>9s}")
for c, k in innermost.most_common():
    print(f"{c:40s} {k / n:9.1%} {on_stack[c] / n:9.1%}")
