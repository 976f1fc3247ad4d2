using System.Text;

namespace B24Mail.Fuzz;

/// <summary>What a stretch of the run leans towards; see <see cref="Grammar.Cycle"/>.</summary>
public enum Focus
{
    Mixed,
    HostFlood,
    Bodies,
    Batch,
    Framing,
    OAuthHeaders,
    Icons,
}

/// <summary>
/// The request grammar. Request <c>i</c> is made by a generator seeded with (seed, i) alone, so a run is
/// reproducible whatever the connection count. The run is cut into phases of <see cref="PhaseLength"/>
/// requests; each phase boosts one family of productions (<see cref="Cycle"/>), so that problems which need
/// many similar requests in a row (a cache filled by long Host headers, several huge bodies at once) are
/// reached, while every production keeps a base weight in every phase. During a host-flood phase nothing
/// writes to the database (a commit empties the read caches such a flood fills).
/// </summary>
public sealed class Grammar
{
    public static readonly Focus[] Cycle =
    [
        Focus.Mixed, Focus.HostFlood, Focus.Bodies, Focus.Batch, Focus.Framing,
        Focus.OAuthHeaders, Focus.Mixed, Focus.HostFlood, Focus.Icons, Focus.Bodies,
    ];

    private readonly Credentials _c;
    private readonly ulong _seed;
    private readonly Production[] _productions;

    public Grammar(Credentials credentials, ulong seed, long phaseLength, IReadOnlyCollection<string>? only = null)
    {
        _c = credentials;
        _seed = seed;
        PhaseLength = phaseLength;
        _productions =
        [
            new("valid", 150, Valid),
            new("path", 70, MutatedPath),
            new("query", 60, QueryPhp),
            new("form", 60, FormPhp),
            new("json", 80, Json, (Focus.Bodies, 3)),
            new("json.big", 0.2, JsonBig, (Focus.Bodies, 5)),
            new("json.huge", 0.01, JsonHuge, (Focus.Bodies, 15)),
            new("form.huge", 0.01, FormHuge, (Focus.Bodies, 15)),
            new("multipart", 50, Multipart, (Focus.Bodies, 3), (Focus.Icons, 5)),
            new("icon", 40, Icon, (Focus.Icons, 8)),
            new("batch", 70, Batch, (Focus.Batch, 12)),
            new("host.long", 40, LongHost, (Focus.HostFlood, 100)),
            new("headers", 40, Headers, (Focus.OAuthHeaders, 6)),
            new("oauth.token", 30, OAuthToken, (Focus.OAuthHeaders, 6)),
            new("oauth.authorize", 20, OAuthAuthorize, (Focus.OAuthHeaders, 6)),
            new("oauth.appinfo", 20, OAuthAppInfo, (Focus.OAuthHeaders, 6)),
            new("upload", 15, Upload, (Focus.Icons, 6)),
            new("misc", 20, Misc),
            new("raw.chunked", 25, RawChunked, (Focus.Framing, 10)),
            new("raw.framing", 35, RawFraming, (Focus.Framing, 10)),
        ];
        if (only is { Count: > 0 })
        {
            _productions = _productions.Where(p => only.Any(o => o.EndsWith('*') ? p.Family.StartsWith(o[..^1], StringComparison.Ordinal) : p.Family == o)).ToArray();
            if (_productions.Length == 0) throw new ArgumentException("--only names no production; families: valid, path, query, form, json, json.big, json.huge, form.huge, multipart, icon, batch, host.long, headers, oauth.token, oauth.authorize, oauth.appinfo, upload, misc, raw.chunked, raw.framing");
        }
        Tables = Cycle.Distinct().ToDictionary(f => f, f => new WeightTable(_productions, f));
    }

    public long PhaseLength { get; }

    private Dictionary<Focus, WeightTable> Tables { get; }

    public Focus FocusOf(long index) => Cycle[(int)(index / PhaseLength % Cycle.Length)];

    public FuzzRequest Generate(long index)
    {
        var rng = new Rng(_seed, (ulong)index);
        var focus = FocusOf(index);
        var ctx = new Ctx(focus, NoWrites: focus == Focus.HostFlood);
        var production = Tables[focus].Pick(rng);
        var request = production.Make(rng, ctx);
        request.Index = index;
        return request;
    }

    private delegate FuzzRequest Maker(Rng rng, Ctx ctx);

    private readonly record struct Ctx(Focus Focus, bool NoWrites);

    private sealed record Production(string Family, double Weight, Maker Make, params (Focus Focus, double Factor)[] Boost);

    private sealed class WeightTable
    {
        private readonly Production[] _items;
        private readonly double[] _cumulative;

        public WeightTable(Production[] productions, Focus focus)
        {
            _items = productions;
            _cumulative = new double[productions.Length];
            double sum = 0;
            for (var i = 0; i < productions.Length; i++)
            {
                var factor = productions[i].Boost.Where(b => b.Focus == focus).Select(b => b.Factor).DefaultIfEmpty(1).First();
                sum += productions[i].Weight * factor;
                _cumulative[i] = sum;
            }
        }

        public Production Pick(Rng rng)
        {
            var x = (rng.Next() >> 11) * (1.0 / (1UL << 53)) * _cumulative[^1];
            var i = Array.BinarySearch(_cumulative, x);
            if (i < 0) i = ~i;
            return _items[Math.Min(i, _items.Length - 1)];
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Vocabulary
    // ------------------------------------------------------------------------------------------------

    private static readonly string[] ReadMethods =
    [
        "mailservice.get", "mailservice.list", "mailservice.fields", "scope", "methods", "method.get", "profile", "user.admin",
        "user.current", "user.access", "access.name", "server.time", "app.info", "feature.get",
    ];

    private static readonly string[] WriteMethods = ["mailservice.add", "mailservice.update", "mailservice.delete"];

    private static readonly string[] Fields = ["NAME", "ACTIVE", "SERVER", "PORT", "ENCRYPTION", "LINK", "ICON", "SORT", "ID", "SITE_ID"];

    private static readonly string[] EdgeValues =
    [
        "", "0", "1", "-1", "2", "8", "65535", "65536", "2147483647", "2147483648", "-2147483649", "9223372036854775807",
        "9223372036854775808", "-9223372036854775808", "99999999999999999999999999", "1e5", "1.5", "0x10", " 1", "1 ", "+1", "00001",
        "\uFF11", "true", "false", "TRUE", "Y", "N", "y", "n", "null", "NaN", "Infinity", "-0", "\u0000", "a\u0000b", "<script>x</script>",
        "\uD83D\uDE00", "\uFFFF", "\uFEFF", "\u202E", "imap.example.com", " IMAP.Example.COM ", "javascript:alert(1)", "https://mail.example/",
        "$result[a]", "$result[a][ID]", "%00", "%", "[]", "{}", "a&b=c", "=", "?", "#", "\r\n", "\t",
    ];

    private string MethodName(Rng rng, Ctx ctx, bool allowBatch = true)
    {
        var r = rng.Int(100);
        if (r < 12 && !ctx.NoWrites) return rng.Pick(WriteMethods);
        if (r < 16 && allowBatch) return "batch";
        return rng.Pick(ReadMethods);
    }

    private static string Suffix(Rng rng) => rng.Int(10) switch
    {
        < 6 => "",
        < 8 => ".json",
        _ => ".xml",
    };

    private string Text(Rng rng, int max = 40)
    {
        var n = rng.Skewed(max);
        var sb = new StringBuilder(n);
        for (var i = 0; i < n; i++)
        {
            sb.Append(rng.Int(20) switch
            {
                0 => (char)rng.Range(0x80, 0x7FF),
                1 => (char)rng.Range(0x800, 0xD7FF),
                2 => rng.Pick(' ', '&', '=', '[', ']', '%', '+', '"', '\\', '<', '>', '\'', ':', '/', '?', '#', '$'),
                _ => (char)rng.Range('a', 'z'),
            });
        }
        return sb.ToString();
    }

    private string Value(Rng rng, bool big = false)
    {
        return rng.Int(12) switch
        {
            < 5 => rng.Pick(EdgeValues),
            < 9 => Text(rng),
            9 => rng.Range(-5, 5000).ToString(),
            10 => new string('x', big ? rng.Pick(256, 255, 1000, 70_000) : rng.Pick(255, 256, 1000)),
            _ => rng.Secret(rng.Range(1, 40)),
        };
    }

    private string FieldValue(Rng rng, string field)
    {
        if (rng.Chance(0.3)) return Value(rng);
        return field switch
        {
            "NAME" => rng.Chance(0.8) ? "Fuzz " + rng.Secret(6) : Text(rng, 300),
            "ACTIVE" or "ENCRYPTION" => rng.Pick("Y", "N", "y", "n", "1", "0", "true", "false", "X", ""),
            "SERVER" => rng.Pick("imap.example.com", " IMAP.EXAMPLE.COM ", "", "x", new string('a', 256)),
            "PORT" => rng.Pick("993", "143", "0", "65535", "65536", "-1", "abc"),
            "SORT" => rng.Pick("100", "0", "2147483647", "2147483648", "-1"),
            "LINK" => rng.Pick("https://mail.example.com/", "", "javascript:alert(1)", new string('l', 300)),
            "ID" => IdValue(rng),
            "ICON" => rng.Pick("", "1", "0", "99999999", "abc"),
            _ => Value(rng),
        };
    }

    private static string IdValue(Rng rng) => rng.Int(10) switch
    {
        < 5 => rng.Range(1, 8).ToString(),
        < 7 => rng.Range(9, 1500).ToString(),
        7 => rng.Pick("0", "-1", "", "abc", "1.0", " 1", "9223372036854775808", "1e3", "00002"),
        _ => rng.Range(1, 40).ToString(),
    };

    /// <summary>Parameters a method expects (most of the time right, sometimes not), as (name, value) before encoding.</summary>
    private List<(string Key, string Value)> MethodParams(Rng rng, string method)
    {
        var list = new List<(string, string)>();
        switch (method)
        {
            case "mailservice.add":
                list.Add(("NAME", FieldValue(rng, "NAME")));
                foreach (var f in Fields.Where(_ => rng.Chance(0.35))) list.Add((f, FieldValue(rng, f)));
                if (rng.Chance(0.7)) list.Add(("ACTIVE", rng.Pick("N", "Y")));
                break;
            case "mailservice.update":
                list.Add(("ID", IdValue(rng)));
                foreach (var f in Fields.Where(_ => rng.Chance(0.3))) list.Add((f, FieldValue(rng, f)));
                break;
            case "mailservice.delete":
                list.Add(("ID", rng.Chance(0.9) ? rng.Range(9, 1500).ToString() : IdValue(rng)));
                break;
            case "mailservice.get":
                if (rng.Chance(0.95)) list.Add(("ID", IdValue(rng)));
                break;
            case "method.get":
                list.Add((rng.Pick("name", "NAME", "Name"), rng.Pick(ReadMethods.Concat(WriteMethods).Append("batch").Append("nope").ToArray())));
                break;
            case "methods":
                if (rng.Chance(0.5)) list.Add((rng.Pick("scope", "SCOPE"), rng.Pick("mailservice", "user", "", "x")));
                if (rng.Chance(0.3)) list.Add((rng.Pick("full", "FULL"), rng.Pick("true", "0", "", "N")));
                break;
            case "scope":
                if (rng.Chance(0.5)) list.Add(("full", rng.Pick("true", "0", "")));
                break;
            case "user.access" or "access.name":
                for (var i = rng.Int(4); i > 0; i--) list.Add(("ACCESS[]", rng.Pick("U1", "U2", "AU", "G2", "X", "", "U99999999999999999999")));
                break;
            case "feature.get":
                if (rng.Chance(0.8)) list.Add((rng.Pick("CODE", "code"), rng.Pick("rest_offline_extended", "rest_auth_connector", "nope", "")));
                break;
            case "profile" or "user.current" or "app.info":
                if (rng.Chance(0.5)) list.Add(("state", rng.Chance(0.9) ? rng.Secret(8) : Value(rng)));
                break;
        }
        if (rng.Chance(0.1)) list.Add((rng.Pick(Fields), Value(rng)));
        return list;
    }

    private static string Encode(List<(string Key, string Value)> pairs, Rng rng)
    {
        var sb = new StringBuilder();
        foreach (var (k, v) in pairs)
        {
            if (sb.Length > 0) sb.Append('&');
            var plus = rng.Chance(0.8);
            sb.Append(EncodeKey(k, rng)).Append('=').Append(Http.UrlEncode(v, plus));
        }
        return sb.ToString();
    }

    /// <summary>Brackets mostly literal (as browsers and SDKs send them), sometimes percent-encoded.</summary>
    private static string EncodeKey(string key, Rng rng)
    {
        var encoded = Http.UrlEncode(key);
        return rng.Chance(0.8) ? encoded.Replace("%5B", "[").Replace("%5D", "]") : encoded;
    }

    /// <summary>A credential for a /rest/ call: path prefix, Host, extra headers, and a token parameter to add.</summary>
    private (string Prefix, string Host, List<string> Headers, (string, string)? Param) Credential(Rng rng)
    {
        var headers = new List<string>();
        var host = _c.HostPort;
        switch (rng.Int(20))
        {
            case < 6:
                return ($"/rest/1/{_c.AdminSecret}/", host, headers, null);
            case < 9:
                return ($"/rest/2/{_c.UserSecret}/", host, headers, null);
            case 9:
                return ($"/rest/3/{_c.InactiveSecret}/", host, headers, null);
            case 10:
                return ($"/rest/1/{_c.P2Secret}/", rng.Chance(0.7) ? _c.P2Domain : host, headers, null);
            case 11:
                return ($"/rest/1/{_c.UserSecret}/", host, headers, null); // the wrong user for the secret
            case 12:
                return ($"/rest/{rng.Pick("1", "2", "0", "-1", "01", "99999999999999999999", "a")}/{rng.Secret()}/", host, headers, null);
            case < 15:
                return ("/rest/", host, headers, (rng.Pick("auth", "access_token", "AUTH"), rng.Chance(0.85) ? _c.AccessToken : rng.Secret(64)));
            case < 17:
                headers.Add("Authorization: Bearer " + (rng.Chance(0.85) ? _c.AccessToken : rng.Secret(64)));
                return ("/rest/", rng.Chance(0.2) ? _c.P2Domain : host, headers, null);
            case 17:
                return ("/rest/", host, headers, ("auth", _c.AdminSecret)); // a webhook secret used as a token
            default:
                return ("/rest/", host, headers, null);
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Productions
    // ------------------------------------------------------------------------------------------------

    /// <summary>A well-formed call with a (mostly) working credential: GET query, urlencoded POST, or JSON POST.</summary>
    private FuzzRequest Valid(Rng rng, Ctx ctx)
    {
        var method = MethodName(rng, ctx, allowBatch: false);
        var (prefix, host, headers, auth) = Credential(rng);
        var pairs = MethodParams(rng, method);
        if (auth is { } a) pairs.Add(a);
        var target = prefix + method + Suffix(rng);
        switch (rng.Int(3))
        {
            case 0:
                return Http.Make("valid.get", "GET", pairs.Count > 0 ? target + "?" + Encode(pairs, rng) : target, host, headers);
            case 1:
                return Http.Make("valid.form", "POST", target, host, headers, Http.Utf8.GetBytes(Encode(pairs, rng)), "application/x-www-form-urlencoded");
            default:
                return Http.Make("valid.json", "POST", target, host, headers, Http.Utf8.GetBytes(JsonObject(pairs)), "application/json");
        }
    }

    private static string JsonString(string s)
    {
        var sb = new StringBuilder(s.Length + 2).Append('"');
        foreach (var ch in s)
        {
            switch (ch)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case < ' ': sb.Append("\\u").Append(((int)ch).ToString("x4")); break;
                default: sb.Append(ch); break;
            }
        }
        return sb.Append('"').ToString();
    }

    private static string JsonObject(List<(string Key, string Value)> pairs)
    {
        var sb = new StringBuilder("{");
        foreach (var (k, v) in pairs)
        {
            if (sb.Length > 1) sb.Append(',');
            var key = k.EndsWith("[]", StringComparison.Ordinal) ? k[..^2] : k;
            sb.Append(JsonString(key)).Append(':').Append(k.EndsWith("[]", StringComparison.Ordinal) ? "[" + JsonString(v) + "]" : JsonString(v));
        }
        return sb.Append('}').ToString();
    }

    /// <summary>Paths: empty segments, suffixes, wrong users and secrets, percent-encoding, overlong segments, dot segments.</summary>
    private FuzzRequest MutatedPath(Rng rng, Ctx ctx)
    {
        var method = MethodName(rng, ctx);
        var user = rng.Chance(0.6) ? "1" : rng.Pick("2", "3", "0", "-1", "01", "1 ", "%31", "99999999999999999999", "abc", "");
        var secret = rng.Int(6) switch
        {
            0 => _c.AdminSecret,
            1 => _c.AdminSecret.ToUpperInvariant(),
            2 => rng.Secret(rng.Pick(15, 16, 17, 1, 64)),
            3 => _c.AdminSecret + "%00",
            4 => new string('s', rng.Pick(1000, 4000, 7900, 9000)),
            _ => rng.Secret(),
        };
        string kind;
        string path;
        switch (rng.Int(14))
        {
            case 0: kind = "path.double-slash"; path = $"/rest//{method}"; break;
            case 1: kind = "path.double-slash"; path = $"/rest//{user}//{secret}//{method}//"; break;
            case 2: kind = "path.suffix"; path = $"/rest/{user}/{secret}/{method}{rng.Pick(".json", ".xml", ".JSON", ".Xml", ".php", ".json.xml", ".xml/", ".", ".xml.json", "..xml")}"; break;
            case 3: kind = "path.segments"; path = rng.Pick($"/rest/{secret}/{method}", $"/rest/{user}/{secret}/x/{method}", $"/rest/{user}/{secret}/", "/rest/", "/rest", "/rest/.xml", "/rest/.json", "/rest//.xml"); break;
            case 4: kind = "path.percent"; path = $"/rest/{user}/{secret}/{PercentMangle(rng, method)}"; break;
            case 5: kind = "path.percent"; path = $"/rest/{PercentMangle(rng, user)}%2F{PercentMangle(rng, secret)}%2f{method}"; break;
            case 6: kind = "path.overlong"; path = $"/rest/{user}/{secret}/{new string('m', rng.Pick(255, 1024, 4096, 7000, 8200, 20000))}"; break;
            case 7: kind = "path.overlong"; path = $"/rest/{new string('1', rng.Pick(20, 200, 5000))}/{secret}/{method}"; break;
            case 8: kind = "path.case"; path = $"/rest/{user}/{secret}/{RandomCase(rng, method)}{Suffix(rng)}"; break;
            case 9: kind = "path.dots"; path = rng.Pick($"/rest/../rest/{method}", $"/rest/./{method}", $"/rest/%2e%2e/{method}", $"/x/../rest/{method}", $"/rest/{user}/{secret}/../{method}", $"/REST/{method}", $"/Rest/{user}/{secret}/{method}"); break;
            case 10: kind = "path.bytes"; path = $"/rest/{user}/{secret}/{method}" + rng.Pick("\u00ff", "\u0080", "%ff", "%c0%af", "%ed%a0%80", "%u0041", "\u0001", "%7f", "%00", "%", "%z1"); break;
            case 11: kind = "path.query"; path = $"/rest/{user}/{secret}/{method}" + rng.Pick("?", "??", "?&", "?=", "?&&=&", "#frag", "?a=1#b", "?ID=1&ID[]=2&ID[a]=3"); break;
            case 12: kind = "path.unknown"; path = $"/rest/{user}/{secret}/{rng.Pick("mailservice.", ".get", "mailservice..get", "mailservice.get.", "user.get", "batch.batch", "mailservice.fields.xml.xml", rng.Secret(12))}"; break;
            default: kind = "path.token"; path = $"/rest/{method}{Suffix(rng)}?auth={rng.Pick(_c.AccessToken, rng.Secret(64), "", _c.AccessToken + "x", _c.RefreshToken)}"; break;
        }
        var verb = rng.Int(10) switch { < 6 => "GET", < 9 => "POST", _ => rng.Pick("OPTIONS", "HEAD", "PUT", "DELETE") };
        return Http.Make(kind, verb, path, _c.HostPort);
    }

    private static string PercentMangle(Rng rng, string s)
    {
        var sb = new StringBuilder();
        foreach (var ch in s)
        {
            if (rng.Chance(0.3)) sb.Append('%').Append(((int)ch & 0xFF).ToString(rng.Chance(0.5) ? "X2" : "x2"));
            else sb.Append(ch);
        }
        if (rng.Chance(0.2)) sb.Insert(rng.Int(sb.Length + 1), rng.Pick("%00", "%2F", "%5C", "%", "%G0", "%C3%28", "%F0%9F%98"));
        return sb.ToString();
    }

    private static string RandomCase(Rng rng, string s) => string.Concat(s.Select(ch => rng.Chance(0.5) ? char.ToUpperInvariant(ch) : ch));

    /// <summary>PHP bracket syntax at its edges: deep nesting, appends, huge indices, unbalanced brackets, duplicates, NULs, bad UTF-8.</summary>
    private string PhpPairs(Rng rng, bool inBody, out string kind)
    {
        var sb = new StringBuilder();
        void Pair(string rawKey, string rawValue)
        {
            if (sb.Length > 0) sb.Append('&');
            sb.Append(rawKey).Append('=').Append(rawValue);
        }
        var budget = inBody ? 400_000 : 6000;
        var field = rng.Pick(Fields);
        switch (rng.Int(12))
        {
            case 0:
            {
                kind = "php.deep";
                var depth = rng.Chance(0.05) ? (inBody ? 50_000 : 1500) : rng.Pick(62, 63, 64, 65, 66, 100, 1000);
                var key = new StringBuilder(field);
                var seg = rng.Pick("[b]", "[]", "[0]", "[%5B]", "[a][]");
                for (var i = 0; i < depth && key.Length < budget; i++) key.Append(seg);
                Pair(key.ToString(), Http.UrlEncode(Value(rng)));
                if (rng.Chance(0.5)) Pair(field, "after");
                break;
            }
            case 1:
            {
                kind = "php.append";
                var n = inBody ? (rng.Chance(0.03) ? 60_000 : rng.Chance(0.15) ? rng.Pick(9999, 10_000, 10_001) : rng.Pick(2, 100, 1000)) : rng.Pick(2, 100, 600);
                for (var i = 0; i < n && sb.Length < budget; i++) Pair(field + "[]", rng.Chance(0.9) ? "1" : Http.UrlEncode(Value(rng)));
                break;
            }
            case 2:
                kind = "php.index";
                foreach (var idx in Enumerable.Range(0, rng.Range(1, 6)))
                {
                    Pair($"{field}[{rng.Pick("9223372036854775807", "9223372036854775808", "-9223372036854775808", "-1", "99999999999999999999999", "0", "00", "01", "1e3", " 1", "-0", "2147483648")}]", Http.UrlEncode(Value(rng)));
                    if (rng.Chance(0.5)) Pair(field + "[]", "x");
                }
                break;
            case 3:
                kind = "php.unbalanced";
                for (var i = rng.Range(1, 5); i > 0; i--)
                {
                    Pair(rng.Pick($"{field}[", $"{field}]", $"{field}[a", $"{field}]a[", $"[{field}]", $"{field}[[a]]", $"{field}[a]]b", $"{field}[]]", "[", "]", "[]", "[[]]", $"{field}[a][", $"{field}[ a ]", $"{field}%5B", $"{field}[%00]", $"{field}[a%5Db]"), Http.UrlEncode(Value(rng)));
                }
                break;
            case 4:
                kind = "php.duplicate";
                for (var i = rng.Range(2, 30); i > 0; i--)
                {
                    Pair(rng.Pick(field, field + "[]", field + "[0]", field + "[a]", field.ToLowerInvariant()), Http.UrlEncode(Value(rng)));
                }
                break;
            case 5:
                kind = "php.bytes";
                for (var i = rng.Range(1, 6); i > 0; i--)
                {
                    var bad = rng.Pick("%00", "%FF", "%C3%28", "%ED%A0%80", "%ED%BF%BF", "%F4%90%80%80", "%C0%80", "%E2%82", "%F0%9F%98%80", "%EF%BB%BF", "%", "%2", "%%", "%zz", "%u00e9", "\u00e9", "\u00ff");
                    Pair(rng.Chance(0.5) ? field + bad : field, rng.Chance(0.5) ? bad + "x" : Http.UrlEncode(Value(rng)) + bad);
                }
                break;
            case 6:
                kind = "php.names";
                for (var i = rng.Range(1, 8); i > 0; i--)
                {
                    Pair(rng.Pick("a.b", "a b", "a+b", "a%20b", "a.b[c.d]", ".", " ", "+", "", "%00", "auth[]", "auth[a]", "state[]", "access_token[]", "cmd", "halt", "a%26b", "%3D", "_", "ID%5B%5D", "NAME%00x"), Http.UrlEncode(Value(rng)));
                }
                break;
            case 7:
                kind = "php.types";
                Pair(field, "1");
                Pair(field + "[a]", "2");
                Pair(field + "[]", "3");
                Pair(field, "4");
                Pair(field + "[a][b]", "5");
                if (rng.Chance(0.5)) Pair(field + "[a]", "6");
                break;
            case 8:
                kind = "php.separators";
                sb.Append(rng.Pick("&&&", "=", "==", "&=&", "a==b", "=x", ";a=1", "a=1;b=2", "a", "&a&", "a=%", "a=%=b", "&&a[]=&&"));
                break;
            case 9:
                kind = "php.many";
                for (var i = inBody ? (rng.Chance(0.03) ? 30_000 : rng.Chance(0.15) ? rng.Pick(5000, 10_001) : rng.Pick(100, 1000)) : rng.Pick(100, 500); i > 0 && sb.Length < budget; i--) Pair("k" + i, "v");
                break;
            case 10:
                kind = "php.long";
                Pair(field, new string('v', inBody ? (rng.Chance(0.05) ? 1_000_000 : rng.Pick(1000, 100_000)) : rng.Pick(1000, 5000)));
                Pair(new string('k', inBody ? (rng.Chance(0.1) ? 100_000 : 1000) : 2000), "x");
                break;
            default:
                kind = "php.mixed";
                foreach (var (k, v) in MethodParams(rng, rng.Pick(WriteMethods.Concat(ReadMethods).ToArray())))
                {
                    Pair(EncodeKey(k, rng), rng.Chance(0.8) ? Http.UrlEncode(v) : PercentMangle(rng, Http.UrlEncode(v)));
                }
                break;
        }
        return sb.ToString();
    }

    private FuzzRequest QueryPhp(Rng rng, Ctx ctx)
    {
        var method = MethodName(rng, ctx);
        var (prefix, host, headers, auth) = Credential(rng);
        var query = PhpPairs(rng, inBody: false, out var kind);
        if (auth is { } a) query += "&" + a.Item1 + "=" + a.Item2;
        return Http.Make("query." + kind, rng.Chance(0.8) ? "GET" : "POST", prefix + method + Suffix(rng) + "?" + query, host, headers);
    }

    private FuzzRequest FormPhp(Rng rng, Ctx ctx)
    {
        var method = MethodName(rng, ctx);
        var (prefix, host, headers, auth) = Credential(rng);
        var body = PhpPairs(rng, inBody: true, out var kind);
        if (auth is { } a) body += "&" + a.Item1 + "=" + a.Item2;
        // Latin-1 sends every char as one byte: raw bytes 0x80-0xFF reach the server as they are.
        var bytes = rng.Chance(0.2) ? Http.Latin1.GetBytes(body) : Http.Utf8.GetBytes(body);
        var contentType = rng.Int(10) switch
        {
            < 6 => "application/x-www-form-urlencoded",
            6 => "application/x-www-form-urlencoded; charset=UTF-8",
            7 => null,
            8 => "text/plain",
            _ => rng.Pick("application/json", "multipart/form-data", "x/y", ";;;", "application/x-www-form-urlencoded; charset=\"", ""),
        };
        return Http.Make("form." + kind, "POST", prefix + method + Suffix(rng), host, headers, bytes, contentType);
    }

    /// <summary>JSON bodies: valid, truncated, deep, out-of-range numbers, lone surrogates, odd top levels, wrong Content-Type.</summary>
    private FuzzRequest Json(Rng rng, Ctx ctx)
    {
        var method = MethodName(rng, ctx);
        var (prefix, host, headers, auth) = Credential(rng);
        var pairs = MethodParams(rng, method);
        if (auth is { } a) pairs.Add(a);
        var valid = JsonObject(pairs);
        string kind;
        byte[] body;
        switch (rng.Int(14))
        {
            case 0: kind = "json.valid"; body = Http.Utf8.GetBytes(valid); break;
            case 1: kind = "json.truncated"; body = Http.Utf8.GetBytes(valid[..rng.Int(valid.Length)]); break;
            case 2:
            {
                kind = "json.deep";
                var depth = rng.Chance(0.05) ? 100_000 : rng.Pick(63, 64, 65, 1000);
                var open = rng.Pick("[", "{\"a\":");
                var close = open == "[" ? "]" : "}";
                var sb = new StringBuilder("{\"NAME\":");
                for (var i = 0; i < depth; i++) sb.Append(open);
                sb.Append('1');
                if (rng.Chance(0.8)) for (var i = 0; i < depth; i++) sb.Append(close);
                sb.Append('}');
                body = Http.Utf8.GetBytes(sb.ToString());
                break;
            }
            case 3:
                kind = "json.numbers";
                body = Http.Utf8.GetBytes($"{{\"ID\":{rng.Pick("1e400", "-1e400", "123456789012345678901234567890", "1.7976931348623157e309", "-0", "0.0000000000000000000000001", "9223372036854775808", "-9223372036854775809", "1E+2", "01", "1.", ".5", "NaN", "Infinity", "0x1F")},\"PORT\":{rng.Pick("993", "1e2", "99999999999999999999", "-1", "993.0", "true", "null", "[]", "{}")},\"SORT\":{rng.Pick("1e10", "2147483648", "-0", "0.5")},\"NAME\":\"n\"}}");
                break;
            case 4:
                kind = "json.surrogates";
                body = Http.Utf8.GetBytes($"{{\"NAME\":\"{rng.Pick("\\ud800", "\\udc00", "a\\ud800b", "\\ud83d\\ude00", "\\udfff\\ud800", "\\u0000", "\\uZZZZ", "\\u12", "\\", "\\x41")}\",\"ID\":\"1\",\"{rng.Pick("\\ud800", "ID", "\\u0000")}\":1}}");
                break;
            case 5:
            {
                kind = "json.bytes";
                var prefixBytes = Http.Utf8.GetBytes("{\"NAME\":\"");
                var bad = rng.Pick<byte[]>([0xFF], [0xC3, 0x28], [0xED, 0xA0, 0x80], [0xC0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0x00], [0xEF, 0xBB, 0xBF]);
                body = [.. (rng.Chance(0.2) ? new byte[] { 0xEF, 0xBB, 0xBF } : []), .. prefixBytes, .. bad, .. "\",\"ID\":1}"u8];
                break;
            }
            case 6:
                kind = "json.toplevel";
                body = Http.Utf8.GetBytes(rng.Pick("[]", "[1,2]", "\"x\"", "1", "null", "true", "{}", "", " ", "[{\"ID\":1}]", "{\"\":1}", "{\"0\":\"a\",\"1\":\"b\"}", "{\"ID\":1}{\"ID\":2}", "{\"ID\":1} x", "\u0000"));
                break;
            case 7:
                kind = "json.duplicate";
                body = Http.Utf8.GetBytes("{\"ID\":1,\"ID\":\"2\",\"id\":3,\"NAME\":\"a\",\"NAME\":[\"b\"],\"NAME\":{\"x\":1}}");
                break;
            case 8:
                kind = "json.syntax";
                body = Http.Utf8.GetBytes(rng.Pick("{\"ID\":1,}", "{\"ID\":1 // c\n}", "{'ID':1}", "{ID:1}", "{\"ID\":01}", "{\"ID\":1]", "[1,2", "{\"a\":\"\n\"}", "{\"a\"\"b\"}", "{,}", "{\"ID\":+1}", "{\"ID\":.1}"));
                break;
            case 9:
            {
                kind = "json.wide";
                var n = rng.Chance(0.03) ? 50_000 : rng.Chance(0.15) ? 10_000 : rng.Pick(100, 1000);
                var sb = new StringBuilder("{");
                for (var i = 0; i < n; i++) sb.Append(i == 0 ? "" : ",").Append("\"k").Append(i).Append("\":").Append(rng.Chance(0.5) ? "[1]" : "1");
                body = Http.Utf8.GetBytes(sb.Append('}').ToString());
                break;
            }
            case 10:
                kind = "json.fields";
                body = Http.Utf8.GetBytes("{\"ID\":" + rng.Pick("1", "[1]", "{\"a\":1}", "true", "null", "1.5", "\"1\"") + ",\"NAME\":" + rng.Pick("\"n\"", "[]", "{}", "1", "true", "null", "[\"a\",\"b\"]") + ",\"ACTIVE\":" + rng.Pick("true", "false", "1", "0", "\"Y\"", "null", "[]") + ",\"PORT\":" + rng.Pick("993", "\"993\"", "993.5", "[993]") + "}");
                break;
            case 11:
                kind = "json.long-string";
                body = Http.Utf8.GetBytes("{\"NAME\":\"" + new string('n', rng.Chance(0.05) ? 2_000_000 : rng.Pick(256, 10_000, 100_000)) + "\",\"ID\":1}");
                break;
            default:
                kind = "json.valid";
                body = Http.Utf8.GetBytes(valid);
                break;
        }
        var contentType = rng.Int(12) switch
        {
            < 8 => "application/json",
            8 => "application/json; charset=utf-8",
            9 => rng.Pick("APPLICATION/JSON", "application/json; charset=latin1", "application/json;", "application/jsonx", "text/json"),
            10 => "application/x-www-form-urlencoded",
            _ => null,
        };
        if (contentType is not "application/json") kind += ".content-type";
        return Http.Make(kind, "POST", prefix + method + Suffix(rng), host, headers, body, contentType);
    }

    private static readonly string[] HugeJsonNames = ["numbers", "objects", "arrays", "keys"];

    private static readonly Lazy<byte[]>[] HugeJson =
    [
        new(() => HugeJsonBody("{\"NAME\":[", "0,", "0]}")),
        new(() => HugeJsonBody("[", "{},", "{}]")),
        new(() => HugeJsonBody("{\"ICON\":[", "[],", "[]]}")),
        new(() => HugeKeysBody()),
    ];

    /// <summary>Just under the 16 MiB body limit, made of as many tiny elements as fit.</summary>
    private static byte[] HugeJsonBody(string open, string element, string close)
    {
        const int Size = 16 * 1024 * 1024 - 4096;
        var body = new byte[Size];
        var at = Encoding.ASCII.GetBytes(open, body);
        var e = Encoding.ASCII.GetBytes(element);
        var c = Encoding.ASCII.GetBytes(close);
        while (at + e.Length + c.Length <= Size)
        {
            e.CopyTo(body, at);
            at += e.Length;
        }
        c.CopyTo(body, at);
        return body[..(at + c.Length)];
    }

    private static byte[] HugeKeysBody()
    {
        const int Size = 16 * 1024 * 1024 - 4096;
        var sb = new StringBuilder(Size).Append('{');
        for (var i = 0; sb.Length < Size - 40; i++) sb.Append(i == 0 ? "" : ",").Append('"').Append(i).Append("\":0");
        return Http.Utf8.GetBytes(sb.Append('}').ToString());
    }

    private static readonly Lazy<byte[]> HugeForm = new(() =>
    {
        const int Size = 16 * 1024 * 1024 - 4096;
        var body = new byte[Size];
        var e = "a[]=1&"u8;
        var at = 0;
        while (at + e.Length <= Size)
        {
            e.CopyTo(body.AsSpan(at));
            at += e.Length;
        }
        return body[..at];
    });

    /// <summary>A body of many elements, from 256 KiB to 2 MiB.</summary>
    private FuzzRequest JsonBig(Rng rng, Ctx ctx)
    {
        var (prefix, host, headers, _) = Credential(rng);
        var size = rng.Pick(256 * 1024, 1024 * 1024, 2 * 1024 * 1024);
        var element = rng.Pick("0,", "{},", "[],", "\"\",");
        var sb = new StringBuilder(size + 16).Append("{\"NAME\":[");
        while (sb.Length < size) sb.Append(element);
        sb.Append("0]}");
        return Http.Make("json.big", "POST", prefix + MethodName(rng, ctx, allowBatch: false) + Suffix(rng), host, headers, Http.Utf8.GetBytes(sb.ToString()), "application/json", heavy: true);
    }

    /// <summary>16 MiB of JSON with millions of elements.</summary>
    private FuzzRequest JsonHuge(Rng rng, Ctx ctx)
    {
        var which = rng.Int(HugeJson.Length);
        var target = rng.Int(4) switch
        {
            0 => "/oauth/token/",
            _ => $"/rest/1/{(rng.Chance(0.5) ? _c.AdminSecret : rng.Secret())}/{rng.Pick("mailservice.get", "mailservice.fields", "batch", "scope")}",
        };
        return Http.Make("json.huge." + HugeJsonNames[which], "POST", target, _c.HostPort, null, HugeJson[which].Value, "application/json", heavy: true);
    }

    private FuzzRequest FormHuge(Rng rng, Ctx ctx) =>
        Http.Make("form.huge", "POST", $"/rest/1/{_c.AdminSecret}/{rng.Pick("mailservice.get", "scope")}", _c.HostPort, null, HugeForm.Value, "application/x-www-form-urlencoded", heavy: true);

    /// <summary>Multipart bodies: good ones with an ICON file part, and broken boundaries, headers and line ends.</summary>
    private FuzzRequest Multipart(Rng rng, Ctx ctx)
    {
        var method = ctx.NoWrites ? "mailservice.get" : rng.Pick("mailservice.add", "mailservice.update", "mailservice.add", "mailservice.get", "batch", "scope");
        var (prefix, host, headers, auth) = Credential(rng);
        var boundary = rng.Int(8) switch
        {
            0 => "",
            1 => new string('b', rng.Pick(70, 71, 200, 5000)),
            2 => "a b\"c",
            3 => "--",
            _ => "----fuzz" + rng.Secret(12),
        };
        var ms = new MemoryStream();
        void W(string s) => ms.Write(Http.Utf8.GetBytes(s));
        var crlf = rng.Chance(0.85) ? "\r\n" : rng.Pick("\n", "", "\r");
        var kind = "multipart.good";
        var pairs = MethodParams(rng, method);
        if (auth is { } a) pairs.Add(a);
        foreach (var (k, v) in pairs)
        {
            W($"--{boundary}{crlf}Content-Disposition: form-data; name=\"{k}\"{crlf}{crlf}{v}{crlf}");
        }
        if (rng.Chance(0.7))
        {
            var content = Images.Pick(rng);
            var name = rng.Pick("ICON", "ICON", "ICON[]", "ICON[fileData]", "icon", "ICON[fileData][1]", "");
            var file = rng.Pick("a.png", "logo.gif", "x.svg", "", "../../etc/passwd", "a\u0000.png", new string('f', 300) + ".png", "\u00e9.png");
            var ctype = rng.Pick("image/png", "application/octet-stream", "image/svg+xml", "text/plain", "");
            W($"--{boundary}{crlf}Content-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"{crlf}");
            if (ctype.Length > 0) W($"Content-Type: {ctype}{crlf}");
            W(crlf);
            if (rng.Chance(0.15))
            {
                kind = "multipart.base64-part";
                W(Convert.ToBase64String(content));
            }
            else ms.Write(content);
            W(crlf);
        }
        switch (rng.Int(10))
        {
            case 0: kind = "multipart.no-close"; break;
            case 1: kind = "multipart.bad-close"; W($"--{boundary}{crlf}"); break;
            case 2: kind = "multipart.bad-header"; W($"--{boundary}{crlf}Content-Disposition form-data name=x{crlf}{crlf}v{crlf}--{boundary}--{crlf}"); break;
            case 3: kind = "multipart.no-name"; W($"--{boundary}{crlf}Content-Disposition: form-data{crlf}{crlf}v{crlf}--{boundary}--{crlf}"); break;
            case 4: kind = "multipart.many-parts"; for (var i = rng.Chance(0.05) ? 5000 : rng.Pick(100, 1000); i > 0 && ms.Length < 4 << 20; i--) W($"--{boundary}{crlf}Content-Disposition: form-data; name=\"k{i}[]\"{crlf}{crlf}v{crlf}"); W($"--{boundary}--{crlf}"); break;
            case 5: kind = "multipart.long-header"; W($"--{boundary}{crlf}Content-Disposition: form-data; name=\"{new string('n', rng.Chance(0.05) ? 100_000 : rng.Pick(100, 20_000))}\"{crlf}{crlf}v{crlf}--{boundary}--{crlf}"); break;
            default: W($"--{boundary}--{crlf}"); break;
        }
        if (crlf != "\r\n") kind = "multipart.line-ends";
        var contentType = rng.Int(10) switch
        {
            0 => "multipart/form-data",
            1 => $"multipart/form-data; boundary=\"{boundary}\"",
            2 => $"multipart/form-data; boundary={boundary}x",
            3 => $"multipart/form-data; boundary={boundary}; boundary=other",
            4 => $"MULTIPART/FORM-DATA; BOUNDARY={boundary}",
            _ => $"multipart/form-data; boundary={boundary}",
        };
        if (boundary.Length is 0 or > 70 || contentType != $"multipart/form-data; boundary={boundary}") kind = kind.Replace("good", "boundary");
        return Http.Make(kind, "POST", prefix + method + Suffix(rng), host, headers, ms.ToArray(), contentType);
    }

    /// <summary>Logos as base64 in every documented form (and some that are not), on add and update.</summary>
    private FuzzRequest Icon(Rng rng, Ctx ctx)
    {
        var method = ctx.NoWrites ? "mailservice.get" : rng.Chance(0.6) ? "mailservice.add" : "mailservice.update";
        var content = Images.Pick(rng);
        var b64 = rng.Int(10) switch
        {
            0 => "!!!not base64!!!",
            1 => Convert.ToBase64String(content).TrimEnd('='),
            2 => Convert.ToBase64String(content).Replace('+', '-').Replace('/', '_'),
            3 => string.Join("\n", Convert.ToBase64String(content).Chunk(76).Select(c => new string(c))),
            4 => "data:image/png;base64," + Convert.ToBase64String(content),
            5 when rng.Chance(0.2) => Convert.ToBase64String(new byte[rng.Pick(1024 * 1024 + 1, 1_500_000)]),
            _ => Convert.ToBase64String(content),
        };
        var name = rng.Pick("a.png", "a.gif", "a.svg", "", "a", "../x.png", "a.PNG", new string('n', 300));
        var pairs = new List<(string, string)>();
        if (method == "mailservice.add") pairs.Add(("NAME", "Icon " + rng.Secret(4)));
        else pairs.Add(("ID", IdValue(rng)));
        string kind;
        var json = rng.Chance(0.4);
        string jsonIcon;
        switch (rng.Int(6))
        {
            case 0: kind = "icon.pair"; pairs.Add(("ICON[0]", name)); pairs.Add(("ICON[1]", b64)); jsonIcon = $"[{JsonString(name)},{JsonString(b64)}]"; break;
            case 1: kind = "icon.filedata"; pairs.Add(("ICON[fileData][0]", name)); pairs.Add(("ICON[fileData][1]", b64)); jsonIcon = $"{{\"fileData\":[{JsonString(name)},{JsonString(b64)}]}}"; break;
            case 2: kind = "icon.bare"; pairs.Add(("ICON", b64)); jsonIcon = JsonString(b64); break;
            case 3: kind = "icon.id"; var id = rng.Pick("1", "2", "999999", "0", "-1", "99999999999999999999"); pairs.Add(("ICON", id)); jsonIcon = id.StartsWith('9') && id.Length > 15 ? id : id; break;
            case 4: kind = "icon.odd-shape"; pairs.Add(("ICON[]", name)); pairs.Add(("ICON[]", b64)); pairs.Add(("ICON[]", b64)); jsonIcon = $"[{JsonString(name)},{JsonString(b64)},1]"; break;
            default: kind = "icon.pair"; pairs.Add(("ICON[fileData][]", name)); pairs.Add(("ICON[fileData][]", b64)); jsonIcon = $"{{\"fileData\":{{\"a\":{JsonString(name)},\"b\":{JsonString(b64)}}}}}"; break;
        }
        var target = $"/rest/1/{_c.AdminSecret}/{method}{Suffix(rng)}";
        if (json)
        {
            var first = pairs[0];
            var body = $"{{{JsonString(first.Item1)}:{JsonString(first.Item2)},\"ICON\":{jsonIcon}}}";
            return Http.Make(kind + ".json", "POST", target, _c.HostPort, null, Http.Utf8.GetBytes(body), "application/json");
        }
        var sb = new StringBuilder();
        foreach (var (k, v) in pairs) sb.Append(sb.Length > 0 ? "&" : "").Append(k).Append('=').Append(Http.UrlEncode(v));
        return Http.Make(kind, "POST", target, _c.HostPort, null, Http.Utf8.GetBytes(sb.ToString()), "application/x-www-form-urlencoded");
    }

    private static readonly string[] BatchKeys =
    [
        "a", "b", "get", "list", "new", "chk", "0", "1", "-1", "a:b", "x:y:z", "ns:get", ":", "a b", "1abc", "<x>", "a&b", "xml", "XmlKey", "a.b", "\u00e9",
        "\uD83D\uDE00", "", "a/b", "a\"b", "a'b", "a=b", "[", "a]", "ID",
    ];

    /// <summary>batch: command maps and lists, over 50 commands, nesting, references, keys that are not XML names, batch.xml.</summary>
    private FuzzRequest Batch(Rng rng, Ctx ctx)
    {
        var (prefix, host, headers, auth) = Credential(rng);
        if (rng.Chance(0.5)) (prefix, host, headers, auth) = ($"/rest/1/{_c.AdminSecret}/", _c.HostPort, [], null);
        var n = rng.Int(10) switch { < 7 => rng.Range(1, 5), 7 => rng.Range(6, 49), 8 => rng.Pick(50, 51), _ => rng.Range(52, 200) };
        var asList = rng.Chance(0.2);
        var commands = new List<(string Key, string Command)>();
        var used = new List<string>();
        var colon = false;
        var odd = false;
        for (var i = 0; i < n; i++)
        {
            var key = asList ? "" : rng.Chance(0.6) ? "c" + i : rng.Pick(BatchKeys) + (rng.Chance(0.5) ? i.ToString() : "");
            // Keys that are not XML names: a ':' (a namespace prefix to an XML writer), or anything else odd.
            if (!asList && key.Contains(':')) colon = true;
            else if (!asList && (key.Length == 0 || !char.IsLetter(key[0]) || key.Any(ch => !char.IsLetterOrDigit(ch) && ch is not '_' and not '-' and not '.'))) odd = true;
            var method = rng.Int(20) switch
            {
                0 => "batch",
                1 => rng.Secret(8),
                2 => "",
                3 when !ctx.NoWrites => rng.Pick(WriteMethods),
                _ => rng.Pick("mailservice.get", "mailservice.get", "mailservice.list", "mailservice.fields", "scope", "app.info", "profile", "user.current", "server.time", "method.get"),
            };
            string query;
            if (method == "batch")
            {
                query = "cmd[x]=" + Http.UrlEncode("mailservice.get?ID=1") + (rng.Chance(0.5) ? "&cmd[y]=" + Http.UrlEncode("batch?cmd[z]=scope") : "");
            }
            else
            {
                var pairs = MethodParams(rng, method);
                if (used.Count > 0 && rng.Chance(0.4))
                {
                    var refKey = rng.Pick(used);
                    var reference = rng.Int(8) switch
                    {
                        0 => $"$result[{refKey}]",
                        1 => $"$result[{refKey}][ID]",
                        2 => $"$result[{refKey}][0][ID]",
                        3 => $"$next[{refKey}]",
                        4 => $"$total[{refKey}]",
                        5 => $"$time[{refKey}][start]",
                        6 => $"$error[{refKey}][error]",
                        _ => rng.Pick($"$result[{refKey}", "$result[]", "$result", $"$RESULT[{refKey}][ID]", $"x$result[{refKey}][ID]y", $"$result[{refKey}]" + string.Concat(Enumerable.Repeat("[a]", 100)), "$result[nope][ID]"),
                    };
                    pairs.Add((rng.Pick("ID", "NAME", "ID[]", "SORT"), reference));
                }
                if (rng.Chance(0.05)) pairs.Add(("auth", _c.AccessToken));
                query = string.Join("&", pairs.Select(p => EncodeKey(p.Key, rng) + "=" + Http.UrlEncode(p.Value)));
            }
            commands.Add((key, query.Length > 0 || rng.Chance(0.5) ? method + "?" + query : method));
            if (!asList) used.Add(key);
        }
        var halt = rng.Int(6) switch { 0 => "&halt=1", 1 => "&HALT=0", 2 => "&halt=N", 3 => "&halt[]=1", _ => "" };
        var xml = rng.Chance(0.35);
        var suffix = xml ? rng.Pick(".xml", ".xml", ".XML", ".xml/") : rng.Pick("", ".json");
        var kind = "batch" + (xml ? ".xml" : "") + (colon ? ".colon-keys" : odd ? ".odd-keys" : "") + (n > 50 ? ".over-50" : "") + (commands.Any(c => c.Command.StartsWith("batch", StringComparison.Ordinal)) ? ".nested" : "");
        var cmdName = rng.Chance(0.85) ? "cmd" : rng.Pick("CMD", "Cmd", "cmd[]");
        var form = new StringBuilder();
        foreach (var (key, command) in commands)
        {
            if (form.Length > 0) form.Append('&');
            form.Append(cmdName).Append('[').Append(asList ? "" : Http.UrlEncode(key)).Append("]=").Append(Http.UrlEncode(command));
        }
        if (auth is { } a) form.Append('&').Append(a.Item1).Append('=').Append(a.Item2);
        form.Append(halt);
        var target = prefix + "batch" + suffix;
        switch (rng.Int(4))
        {
            case 0:
                return Http.Make(kind + ".get", "GET", target + "?" + form, host, headers);
            case 1:
            {
                var json = new StringBuilder("{\"cmd\":");
                json.Append(asList ? "[" : "{");
                for (var i = 0; i < commands.Count; i++)
                {
                    if (i > 0) json.Append(',');
                    if (!asList) json.Append(JsonString(commands[i].Key)).Append(':');
                    json.Append(JsonString(commands[i].Command));
                }
                json.Append(asList ? "]" : "}");
                if (halt.Length > 0) json.Append(",\"halt\":").Append(rng.Pick("1", "0", "true", "\"N\"", "[]"));
                if (auth is { } t) json.Append(',').Append(JsonString(t.Item1)).Append(':').Append(JsonString(t.Item2));
                json.Append('}');
                return Http.Make(kind + ".json-body", "POST", target, host, headers, Http.Utf8.GetBytes(json.ToString()), "application/json");
            }
            default:
                return Http.Make(kind + ".form", "POST", target, host, headers, Http.Utf8.GetBytes(form.ToString()), "application/x-www-form-urlencoded");
        }
    }

    /// <summary>
    /// A Host of 20–31 KB with a webhook (or token) that does not exist: every such request is a new
    /// (secret, host) pair for the credential lookup.
    /// </summary>
    private FuzzRequest LongHost(Rng rng, Ctx ctx)
    {
        var length = rng.Int(10) < 8 ? rng.Range(28_000, 30_500) : rng.Range(100, 32_000);
        var host = new StringBuilder(length);
        while (host.Length < length)
        {
            host.Append(rng.Secret(rng.Range(5, 60)));
            host.Append('.');
        }
        host.Length = length;
        var method = rng.Pick("mailservice.get", "mailservice.list", "scope", "profile", "mailservice.fields");
        if (rng.Chance(0.75))
        {
            var secret = rng.Chance(0.9) ? rng.Secret() : _c.AdminSecret;
            return Http.Make("host.long.webhook", "GET", $"/rest/{rng.Pick("1", "2")}/{secret}/{method}?ID=1", host.ToString());
        }
        return Http.Make("host.long.token", "GET", $"/rest/{method}?auth={(rng.Chance(0.9) ? rng.Secret(64) : _c.AccessToken)}&ID=1", host.ToString());
    }

    /// <summary>Headers: long and odd Host, Authorization garbage, X-Forwarded-*, many headers, Expect, Connection.</summary>
    private FuzzRequest Headers(Rng rng, Ctx ctx)
    {
        var method = MethodName(rng, ctx, allowBatch: false);
        var headers = new List<string>();
        var host = _c.HostPort;
        var target = rng.Chance(0.5) ? $"/rest/1/{_c.AdminSecret}/{method}?ID=1" : $"/rest/{method}?ID=1";
        string kind;
        switch (rng.Int(9))
        {
            case 0:
                kind = "headers.host";
                host = rng.Pick("", "localhost", "p2.example", _c.P2Domain.ToUpperInvariant(), "[::1]:80", "127.0.0.1:99999", "a b", "a@b", "a/b", "a:b:c", "[", "\u00e9.example", "localhost.", ".", "-", "*", "%00", "x" + new string('.', 500));
                break;
            case 1:
                kind = "headers.authorization";
                headers.Add("Authorization: " + rng.Pick("Bearer", "Bearer ", "Bearer  ", "bearer " + _c.AccessToken, "Bearer " + _c.AccessToken + " x", "Bearer " + rng.Secret(64), "Bearer " + new string('t', rng.Pick(1000, 8000)), "Basic YTpi", "Bearer \u00e9\u00ff", "Bearer " + _c.RefreshToken, "Bearer " + _c.AdminSecret, ""));
                if (rng.Chance(0.3)) headers.Add("Authorization: Bearer " + rng.Secret(64));
                break;
            case 2:
                kind = "headers.forwarded";
                headers.Add("X-Forwarded-For: " + rng.Pick("1.2.3.4", "garbage", "1.2.3.4, 5.6.7.8", "::1", "999.999.999.999", new string('1', 5000), ""));
                headers.Add("X-Forwarded-Proto: " + rng.Pick("https", "http", "HTTPS", "ftp", "https, http", ""));
                headers.Add("X-Forwarded-Host: " + rng.Pick("evil.example", _c.P2Domain, "", "a b", new string('h', 3000)));
                break;
            case 3:
                kind = "headers.many";
                for (var i = rng.Pick(50, 100, 500); i > 0; i--) headers.Add($"X-F{i}: {rng.Secret(20)}");
                break;
            case 4:
                kind = "headers.long";
                headers.Add("X-Long: " + new string('v', rng.Pick(4000, 16_000, 30_000)));
                break;
            case 5:
                kind = "headers.expect";
                return Http.Make(kind, "POST", target, host, ["Expect: 100-continue"], "ID=1"u8.ToArray(), "application/x-www-form-urlencoded");
            case 6:
                kind = "headers.content-type";
                return Http.Make(kind, "POST", target, host, null, "{\"ID\":1}"u8.ToArray(), rng.Pick("application/json; charset=utf-16", "application/json; boundary=x", "multipart/mixed", "multipart/form-data; boundary=", "application/x-www-form-urlencoded; charset=utf-16", "*/*", "a", "\u00e9"));
            case 7:
                kind = "headers.accept";
                headers.Add("Accept: " + rng.Pick("application/xml", "text/html", "*/*", "", new string('a', 3000)));
                headers.Add("Accept-Encoding: " + rng.Pick("gzip", "br, gzip, deflate", "identity;q=0", ""));
                headers.Add("Origin: " + rng.Pick("https://evil.example", "null", ""));
                break;
            default:
                kind = "headers.connection";
                headers.Add("Connection: " + rng.Pick("close", "keep-alive", "upgrade", "Upgrade, HTTP2-Settings", ""));
                if (rng.Chance(0.5)) headers.Add("Upgrade: " + rng.Pick("h2c", "websocket"));
                break;
        }
        return Http.Make(kind, rng.Chance(0.7) ? "GET" : "POST", target, host, headers);
    }

    /// <summary>/oauth/token/ (and /oauth/oauth/token/) with every grant, good and bad client, empty and garbage bodies.</summary>
    private FuzzRequest OAuthToken(Rng rng, Ctx ctx)
    {
        var path = rng.Pick("/oauth/token/", "/oauth/token", "/oauth/oauth/token/", "/oauth/token//", "/OAUTH/TOKEN/");
        var pairs = new List<(string, string)>();
        var grant = rng.Pick("authorization_code", "refresh_token", "client_credentials", "password", "", "REFRESH_TOKEN");
        if (rng.Chance(0.9)) pairs.Add(("grant_type", grant));
        if (rng.Chance(0.9)) pairs.Add(("client_id", rng.Chance(0.7) ? _c.ClientId : rng.Pick("", "local.x", _c.ClientId + "x", new string('c', 5000))));
        if (rng.Chance(0.85)) pairs.Add(("client_secret", rng.Chance(0.6) ? _c.ClientSecret : rng.Pick("", "x", _c.ClientSecret[..^1])));
        if (grant.StartsWith("auth", StringComparison.Ordinal)) pairs.Add(("code", rng.Pick("", rng.Secret(32), "x", new string('c', 3000))));
        if (grant.Equals("refresh_token", StringComparison.OrdinalIgnoreCase))
        {
            // The real refresh token is spent by its first use; in a write-free phase only strangers are sent.
            pairs.Add(("refresh_token", !ctx.NoWrites && rng.Chance(0.05) ? _c.RefreshToken : rng.Pick(rng.Secret(64), "", "x")));
        }
        if (rng.Chance(0.2)) pairs.Add((rng.Pick("grant_type[]", "client_id[]", "code[a]", "refresh_token[]"), "x"));
        var encoded = string.Join("&", pairs.Select(p => Http.UrlEncode(p.Item1).Replace("%5B", "[").Replace("%5D", "]") + "=" + Http.UrlEncode(p.Item2)));
        switch (rng.Int(6))
        {
            case 0:
                return Http.Make("oauth.token.get", "GET", path + "?" + encoded, _c.HostPort);
            case 1:
                return Http.Make("oauth.token.empty", "POST", path, _c.HostPort, null, rng.Chance(0.5) ? null : [], rng.Pick("application/x-www-form-urlencoded", "application/json", null));
            case 2:
            {
                var garbage = new byte[rng.Skewed(5000) + 1];
                rng.Fill(garbage);
                return Http.Make("oauth.token.garbage", "POST", path, _c.HostPort, null, garbage, rng.Pick("application/x-www-form-urlencoded", "application/json", "multipart/form-data; boundary=x", null));
            }
            case 3:
                return Http.Make("oauth.token.json", "POST", path, _c.HostPort, null, Http.Utf8.GetBytes(JsonObject(pairs)), "application/json");
            default:
                return Http.Make("oauth.token.form", "POST", path, _c.HostPort, null, Http.Utf8.GetBytes(encoded), "application/x-www-form-urlencoded");
        }
    }

    private FuzzRequest OAuthAuthorize(Rng rng, Ctx ctx)
    {
        var path = rng.Pick("/oauth/authorize/", "/oauth/authorize", "/oauth/authorize//");
        var pairs = new List<(string, string)>();
        if (rng.Chance(0.9)) pairs.Add(("client_id", rng.Chance(0.7) ? _c.ClientId : rng.Pick("", "x", new string('c', 4000), "local.0.0")));
        if (rng.Chance(0.7)) pairs.Add(("state", rng.Chance(0.7) ? rng.Secret(8) : rng.Pick("", "<script>", new string('s', 5000), "a&b", "\u00e9")));
        if (!ctx.NoWrites && rng.Chance(0.4)) pairs.Add(("approve", rng.Pick("Y", "y", "1", "N", "")));
        if (rng.Chance(0.5)) pairs.Add(("user_id", rng.Pick("1", "2", "3", "0", "-1", "abc", "99999999999999999999", "")));
        if (rng.Chance(0.2)) pairs.Add((rng.Pick("client_id[]", "approve[]", "user_id[a]"), "1"));
        var encoded = string.Join("&", pairs.Select(p => Http.UrlEncode(p.Item1).Replace("%5B", "[").Replace("%5D", "]") + "=" + Http.UrlEncode(p.Item2)));
        switch (rng.Int(5))
        {
            case 0:
                return Http.Make("oauth.authorize.empty", "POST", path, _c.HostPort, null, rng.Chance(0.5) ? null : [], rng.Pick("application/x-www-form-urlencoded", null));
            case 1:
            {
                var garbage = new byte[rng.Skewed(5000) + 1];
                rng.Fill(garbage);
                return Http.Make("oauth.authorize.garbage", "POST", path, _c.HostPort, null, garbage, rng.Pick("application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/json", null));
            }
            case 2:
                return Http.Make("oauth.authorize.form", "POST", path, _c.HostPort, null, Http.Utf8.GetBytes(encoded), "application/x-www-form-urlencoded");
            default:
                return Http.Make("oauth.authorize.get", "GET", path + "?" + encoded, _c.HostPort);
        }
    }

    private FuzzRequest OAuthAppInfo(Rng rng, Ctx ctx)
    {
        var path = rng.Pick("/oauth/rest/app.info", "/oauth/rest/app.info.json", "/oauth/rest/app.info/", "/oauth/rest/APP.INFO", "/oauth/rest/", "/oauth/rest/app.info.xml", "/oauth/rest/methods", "/oauth/rest//app.info", "/oauth/rest/" + new string('a', 3000));
        var token = rng.Int(5) switch { < 2 => _c.AccessToken, 2 => rng.Secret(64), 3 => "", _ => _c.RefreshToken };
        return rng.Int(4) switch
        {
            0 => Http.Make("oauth.appinfo.get", "GET", path + "?auth=" + token, _c.HostPort),
            1 => Http.Make("oauth.appinfo.bearer", "GET", path, rng.Chance(0.8) ? _c.HostPort : _c.P2Domain, ["Authorization: Bearer " + token]),
            2 => Http.Make("oauth.appinfo.form", "POST", path, _c.HostPort, null, Http.Utf8.GetBytes("auth=" + token + (rng.Chance(0.3) ? "&auth[]=x&state[]=1" : "&state=s")), "application/x-www-form-urlencoded"),
            _ => Http.Make("oauth.appinfo.json", "POST", path, _c.HostPort, null, Http.Utf8.GetBytes("{\"auth\":" + rng.Pick(JsonString(token), "[1]", "null", "1") + "}"), "application/json"),
        };
    }

    private FuzzRequest Upload(Rng rng, Ctx ctx)
    {
        var good = _c.IconPath ?? "/upload/mailservice/icon/1/00000000000000000000000000000000/a.png";
        var parts = good.Split('/');
        var path = rng.Int(8) switch
        {
            0 => good,
            1 => $"/upload/mailservice/icon/{rng.Pick("0", "-1", "9223372036854775807", "9223372036854775808", "abc", "1.5", "")}/{parts[^2]}/{parts[^1]}",
            2 => $"/upload/mailservice/icon/{parts[^3]}/{rng.Pick(parts[^2].ToUpperInvariant(), parts[^2][..^1], rng.Secret(32), "", "..", "%2e%2e", new string('k', 5000))}/{parts[^1]}",
            3 => $"/upload/mailservice/icon/{parts[^3]}/{parts[^2]}/{rng.Pick("x.svg", "..%2F..%2Fetc%2Fpasswd", "", "a%00.png", new string('n', 3000))}",
            4 => $"/upload/mailservice/icon/{parts[^3]}/{parts[^2]}",
            5 => "/upload/mailservice/icon/",
            6 => good.Replace("/icon/", "/ICON/"),
            _ => $"/upload/mailservice/icon/{rng.Range(1, 40)}/{rng.Secret(32)}/a.png",
        };
        return Http.Make("upload", rng.Pick("GET", "GET", "HEAD", "POST"), path, _c.HostPort);
    }

    private FuzzRequest Misc(Rng rng, Ctx ctx)
    {
        var path = rng.Pick("/health", "/health/", "/", "/favicon.ico", "/rest", "/oauth/", "/oauth", "/upload/", "/.env", "/%2e%2e/%2e%2e/etc/passwd", "/rest/1/" + _c.AdminSecret, "*", "/" + new string('x', 7000));
        var verb = rng.Pick("GET", "GET", "POST", "HEAD", "OPTIONS", "PUT", "DELETE", "PATCH", "TRACE", "PROPFIND", "get", "G\u00e9T", new string('M', 300));
        var headers = new List<string>();
        if (verb == "OPTIONS")
        {
            path = rng.Chance(0.7) ? $"/rest/1/{_c.AdminSecret}/mailservice.get" : path;
            headers.Add("Origin: https://app.example");
            headers.Add("Access-Control-Request-Method: " + rng.Pick("POST", "DELETE", "", "X"));
            headers.Add("Access-Control-Request-Headers: " + rng.Pick("content-type", "x-a, x-b", new string('h', 2000)));
        }
        return Http.Make("misc." + (verb.Length > 10 ? "long-verb" : verb.ToLowerInvariant()), verb, path, _c.HostPort, headers);
    }

    private string BodyTarget(Rng rng) => rng.Int(8) switch
    {
        < 3 => $"/rest/1/{_c.AdminSecret}/{rng.Pick("mailservice.get", "mailservice.add", "batch", "scope")}",
        3 => $"/rest/{rng.Pick("mailservice.get", "scope")}?auth={_c.AccessToken}",
        4 => rng.Pick("/oauth/token/", "/oauth/oauth/token/"),
        5 => "/oauth/authorize/",
        6 => "/oauth/rest/app.info",
        _ => rng.Pick("/health", "/rest/1/x/mailservice.get", "/rest/nope", $"/rest/1/{rng.Secret()}/mailservice.get", _c.IconPath ?? "/upload/mailservice/icon/1/x/a.png"),
    };

    /// <summary>Which kind of endpoint a body goes to, for the kind's name.</summary>
    private static string Endpoint(string target) => target switch
    {
        _ when target.StartsWith("/rest/", StringComparison.Ordinal) => "rest",
        _ when target.Contains("/token", StringComparison.Ordinal) => "oauth-token",
        _ when target.StartsWith("/oauth/authorize", StringComparison.Ordinal) => "oauth-authorize",
        _ when target.StartsWith("/oauth/rest/", StringComparison.Ordinal) => "oauth-appinfo",
        _ => "other",
    };

    private static readonly string[] OverflowSizes =
    [
        "ffffffffffffffffff", "fffffffffffffffffffffffffffffffff", "ffffffff", "fffffffff", "7fffffff", "80000000", "100000000",
        "7FFFFFFFFFFFFFFF", "10000000000000000", "0000000000000000000000001", "FFFFFFFFFFFFFFFF",
    ];

    /// <summary>Chunked bodies on every endpoint that reads one: overflowing and invalid sizes, bad extensions, missing CRLFs.</summary>
    private FuzzRequest RawChunked(Rng rng, Ctx ctx)
    {
        var target = BodyTarget(rng);
        var contentType = rng.Pick("application/x-www-form-urlencoded", "application/json", "multipart/form-data; boundary=x", null);
        var head = new StringBuilder();
        head.Append(rng.Chance(0.9) ? "POST" : "GET").Append(' ').Append(target).Append(" HTTP/1.1\r\nHost: ").Append(_c.HostPort).Append("\r\n");
        if (contentType is not null) head.Append("Content-Type: ").Append(contentType).Append("\r\n");
        var te = rng.Int(12) switch
        {
            0 => "Chunked",
            1 => "gzip, chunked",
            2 => "chunked, gzip",
            3 => "chunked\t",
            4 => "identity, chunked",
            _ => "chunked",
        };
        head.Append("Transfer-Encoding: ").Append(te).Append("\r\n");
        if (rng.Chance(0.1)) head.Append("Content-Length: ").Append(rng.Pick("5", "0", "100")).Append("\r\n");
        if (rng.Chance(0.05)) head.Append("Transfer-Encoding: chunked\r\n");
        head.Append("\r\n");
        string kind;
        string body;
        var halfClose = false;
        switch (rng.Int(12))
        {
            case < 4:
                kind = "raw.chunked.overflow." + Endpoint(target);
                var size = rng.Pick(OverflowSizes);
                body = size + "\r\n" + (rng.Chance(0.5) ? "ID=1\r\n0\r\n\r\n" : "");
                // A size that fits in 31 bits is no overflow: the server rightly waits for that much data.
                halfClose = size is "7fffffff" or "0000000000000000000000001";
                break;
            case 4:
                kind = "raw.chunked.bad-size";
                body = rng.Pick("zz", "-1", "0x10", " 5", "5 ", "+5", "", "5;", "5;a=\"", "1_0", "\u00ff") + "\r\nID=1\r\n0\r\n\r\n";
                break;
            case 5:
                kind = "raw.chunked.extension";
                body = "4;" + rng.Pick("a=b", "a", new string('e', rng.Pick(1000, 5000, 40_000)), "=\"", ";;;") + "\r\nID=1\r\n0\r\n\r\n";
                break;
            case 6:
                kind = "raw.chunked.missing-crlf";
                body = rng.Pick("4\r\nID=1", "4\r\nID=10\r\n\r\n", "4ID=1\r\n0\r\n\r\n", "4\nID=1\n0\n\n", "4\r\nID=1\r\n0\r\n", "4\r\nID=1\r\n0");
                halfClose = true;
                break;
            case 7:
                kind = "raw.chunked.short";
                body = rng.Pick("100\r\nID=1", "ffff\r\nID=1\r\n", "7fffffff\r\nID=1");
                halfClose = true;
                break;
            case 8:
                kind = "raw.chunked.trailers";
                body = "4\r\nID=1\r\n0\r\n" + rng.Pick("X-T: 1\r\n", "Content-Length: 5\r\n", new string('t', 9000) + ": x\r\n", "bad trailer\r\n") + "\r\n";
                break;
            case 9:
                kind = "raw.chunked.many";
                body = string.Concat(Enumerable.Repeat("1\r\na\r\n", rng.Chance(0.05) ? 20_000 : 1000)) + "0\r\n\r\n";
                break;
            default:
                kind = "raw.chunked.good";
                body = Encoding.Latin1.GetString(Http.Chunk(Http.Utf8.GetBytes(rng.Chance(0.5) ? "ID=1&NAME=x" : "{\"ID\":1}")));
                break;
        }
        var bytes = Http.Latin1.GetBytes(head + body);
        return new FuzzRequest { Kind = kind, Parts = [bytes], Fresh = true, HalfClose = halfClose };
    }

    /// <summary>Broken framing on a connection of its own: Content-Length lies, truncated bodies, pipelined garbage, bad request lines.</summary>
    private FuzzRequest RawFraming(Rng rng, Ctx ctx)
    {
        var target = BodyTarget(rng);
        var good = $"GET /rest/1/{_c.AdminSecret}/mailservice.get?ID=1 HTTP/1.1\r\nHost: {_c.HostPort}\r\n\r\n";
        string kind;
        string text;
        // Half-closed when the request is incomplete, so the server sees its end instead of waiting for more.
        var halfClose = false;
        switch (rng.Int(12))
        {
            case 0:
                kind = "raw.length.longer";
                halfClose = true;
                text = $"POST {target} HTTP/1.1\r\nHost: {_c.HostPort}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {rng.Pick(10, 1000, 16 * 1024 * 1024)}\r\n\r\nID=1";
                break;
            case 1:
                kind = "raw.length.shorter";
                text = $"POST {target} HTTP/1.1\r\nHost: {_c.HostPort}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 2\r\n\r\nID=1&NAME=x" + (rng.Chance(0.5) ? "\r\n\r\n" : "");
                break;
            case 2:
                kind = "raw.length.invalid";
                text = $"POST {target} HTTP/1.1\r\nHost: {_c.HostPort}\r\nContent-Length: {rng.Pick("-1", "abc", "1,2", "+4", " 4", "4 ", "0x4", "99999999999999999999", "18446744073709551616", "4\u00a0", "")}\r\n\r\nID=1";
                break;
            case 3:
                kind = "raw.length.duplicate";
                text = $"POST {target} HTTP/1.1\r\nHost: {_c.HostPort}\r\nContent-Length: 4\r\nContent-Length: {rng.Pick("5", "4", "0")}\r\n\r\nID=1";
                break;
            case 4:
                kind = "raw.length.too-large";
                text = $"POST {target} HTTP/1.1\r\nHost: {_c.HostPort}\r\nContent-Length: {rng.Pick(16 * 1024 * 1024 + 1, int.MaxValue, 1L << 40)}\r\n\r\nID=1";
                break;
            case 5:
                kind = "raw.pipelined.garbage";
                text = good + rng.Pick("GARBAGE\r\n\r\n", "\u0000\u0001\u0002", "GET / HTTP/1.1\r\n\r\n", "G", "\r\n\r\n\r\n", "POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nab", good + good, "HTTP/1.1 200 OK\r\n\r\n");
                break;
            case 6:
                kind = "raw.request-line";
                text = rng.Pick(
                    $"GET /rest/1/{_c.AdminSecret}/scope HTTP/9.9\r\nHost: h\r\n\r\n",
                    "GET  /  HTTP/1.1\r\nHost: h\r\n\r\n",
                    "GET /health\r\n\r\n",
                    "GET /health HTTP/1.0\r\n\r\n",
                    $"GET http://{_c.HostPort}/rest/1/{_c.AdminSecret}/scope HTTP/1.1\r\nHost: h\r\n\r\n",
                    "GET * HTTP/1.1\r\nHost: h\r\n\r\n",
                    $"CONNECT {_c.HostPort} HTTP/1.1\r\nHost: h\r\n\r\n",
                    "GET /\u0000 HTTP/1.1\r\nHost: h\r\n\r\n",
                    "\r\n\r\nGET /health HTTP/1.1\r\nHost: h\r\n\r\n",
                    " GET /health HTTP/1.1\r\nHost: h\r\n\r\n",
                    "GET /health HTTP/1.1\r\n",
                    "\u0016\u0003\u0001\u0000\u00a5\u0001\u0000\u0000\u00a1\u0003\u0003");
                break;
            case 7 when rng.Chance(0.1):
                // HTTP/2 with prior knowledge: Kestrel answers in HTTP/2 frames, which this client does not read.
                kind = "raw.h2c-preface";
                text = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
                break;
            case 7:
                kind = "raw.line-ends";
                text = rng.Pick($"GET /rest/1/{_c.AdminSecret}/scope HTTP/1.1\nHost: h\n\n", "GET /health HTTP/1.1\rHost: h\r\r", "GET /health HTTP/1.1\r\nHost: h\n\r\n");
                break;
            case 8:
                kind = "raw.header-syntax";
                text = $"GET /rest/1/{_c.AdminSecret}/scope HTTP/1.1\r\nHost: {_c.HostPort}\r\n" + rng.Pick("NoColon\r\n", " folded: x\r\n", "X-A: a\r\n b\r\n", ": empty\r\n", "X A: b\r\n", "X-A: \u0000\r\n", "X-\u00e9: 1\r\n", "Host: second\r\n", "X-A:" + new string('x', 40_000) + "\r\n") + "\r\n";
                break;
            case 9:
                kind = "raw.host.over-limit";
                text = $"GET /rest/1/{rng.Secret()}/scope HTTP/1.1\r\nHost: {new string('h', rng.Pick(32_000, 33_000, 70_000))}\r\n\r\n";
                break;
            case 10:
                kind = "raw.both-framings." + Endpoint(target);
                text = $"POST {target} HTTP/1.1\r\nHost: {_c.HostPort}\r\nContent-Length: 4\r\nTransfer-Encoding: {rng.Pick("chunked", "identity", "gzip", "x")}\r\n\r\n" + rng.Pick("ID=1", "4\r\nID=1\r\n0\r\n\r\n", "ffffffffffffffffff\r\n");
                break;
            default:
                kind = "raw.truncated";
                halfClose = true;
                var full = $"POST {target} HTTP/1.1\r\nHost: {_c.HostPort}\r\nContent-Type: application/json\r\nContent-Length: 30\r\n\r\n{{\"ID\":1,\"NAME\":\"truncated....\"}}";
                text = full[..rng.Int(full.Length)];
                break;
        }
        return new FuzzRequest { Kind = kind, Parts = [Http.Latin1.GetBytes(text)], Fresh = true, HalfClose = halfClose };
    }
}
