using System.Globalization;
using B24Mail.Rest.Dispatch;
using B24Mail.Rest.Errors;
using B24Mail.Rest.Identity;
using B24Mail.Rest.Values;

namespace B24Mail.Rest.Common;

/// <summary>
/// The basic methods every credential may call (docs/protocol.md §6.3), and <c>user.current</c>, which needs one of the
/// user scopes. They read the registry and the caller, so they work for whatever scopes are registered.
/// </summary>
public sealed class CommonMethods(IIdentityStore identity, TimeProvider time) : IRestScope
{
    private static readonly string[] UserScopes = ["user", "user_brief", "user_basic"];

    /// <summary>Features <c>feature.get</c> knows; both are available on a self-hosted server.</summary>
    private static readonly Dictionary<string, string> Features = new() { ["rest_offline_extended"] = "Y", ["rest_auth_connector"] = "Y" };

    private MethodRegistry _registry = null!;

    public void Register(MethodRegistry registry)
    {
        _registry = registry;
        registry
            .Add(new RestMethod("scope", [], Scope))
            .Add(new RestMethod("methods", [], Methods))
            .Add(new RestMethod("method.get", [], MethodGet))
            .Add(new RestMethod("profile", [], Profile))
            .Add(new RestMethod("user.admin", [], c => Done(c.Caller.User.IsAdmin)))
            .Add(new RestMethod("user.current", UserScopes, UserCurrent))
            .Add(new RestMethod("user.access", [], UserAccess))
            .Add(new RestMethod("access.name", [], AccessName))
            .Add(new RestMethod("server.time", [], c => Done(TimeBlock.FormatDate(time.GetUtcNow(), time.LocalTimeZone))))
            .Add(new RestMethod("app.info", [], AppInfo))
            .Add(new RestMethod("feature.get", [], FeatureGet));
    }

    private static ValueTask<object?> Done(object? result) => ValueTask.FromResult(result);

    /// <summary>All scopes this server knows: those of registered methods, plus the user scopes.</summary>
    private IEnumerable<string> KnownScopes => _registry.All.SelectMany(m => m.Scopes).Concat(UserScopes).Distinct().Order(StringComparer.Ordinal);

    private ValueTask<object?> Scope(RestContext context)
    {
        var full = ParamConvert.IsPhpTrue(context.Params.GetAnyCase("full"));
        var scopes = full ? KnownScopes : context.Caller.Scopes.Order(StringComparer.Ordinal);
        return Done(PhpArray.List(scopes));
    }

    private ValueTask<object?> Methods(RestContext context)
    {
        var caller = context.Caller;
        IEnumerable<RestMethod> methods = _registry.All;
        if (context.Params.GetAnyCase("scope") is string scope)
        {
            // scope= (empty) lists the basic methods; scope=X those of X.
            methods = methods.Where(m => scope.Length == 0 ? m.IsBasic : m.Scopes.Contains(scope));
        }
        else if (!ParamConvert.IsPhpTrue(context.Params.GetAnyCase("full")))
        {
            methods = methods.Where(m => IsAvailable(m, caller));
        }
        return Done(PhpArray.List(methods.Select(m => m.Name.ToLowerInvariant()).Order(StringComparer.Ordinal)));
    }

    private ValueTask<object?> MethodGet(RestContext context)
    {
        // The real portal lower-cases the name and looks it up among its lower-case names.
        var name = (context.Params.GetAnyCase("name") as string)?.ToLowerInvariant();
        RestMethod? method = null;
        var exists = !string.IsNullOrEmpty(name) && _registry.TryGet(name, out method);
        return Done(PhpArray.From(("isExisting", exists), ("isAvailable", exists && IsAvailable(method!, context.Caller))));
    }

    /// <summary>
    /// What <c>methods</c> lists and <c>method.get</c> reports: the scope is granted. Every basic method is
    /// available to both kinds of credential; <c>app.info</c> answers a webhook in its short form.
    /// </summary>
    private static bool IsAvailable(RestMethod method, Caller caller) => method.IsBasic || caller.HasAnyScope(method.Scopes);

    /// <summary><c>profile</c> signs who the user is (docs/decisions.md #26) and adds the server's UTC offset in seconds (#28).</summary>
    private ValueTask<object?> Profile(RestContext context)
    {
        var user = context.Caller.User;
        var id = user.Id.ToString(CultureInfo.InvariantCulture);
        var now = time.GetUtcNow();
        context.SecurityState = PhpArray.From(("ID", id), ("NAME", user.Name), ("LAST_NAME", user.LastName));
        return Done(PhpArray.From(
            ("ID", id),
            ("ADMIN", user.IsAdmin),
            ("NAME", user.Name),
            ("LAST_NAME", user.LastName),
            ("PERSONAL_GENDER", ""),
            ("TIME_ZONE", ""),
            ("TIME_ZONE_OFFSET", (long)time.LocalTimeZone.GetUtcOffset(now).TotalSeconds)));
    }

    /// <summary>
    /// <c>user</c> and <c>user_basic</c> include EMAIL; <c>user_brief</c> leaves contacts out. Signed like
    /// <c>profile</c> when the caller sends <c>state</c>, since SDKs ask for a signed <c>user.current</c>.
    /// </summary>
    private ValueTask<object?> UserCurrent(RestContext context)
    {
        var user = context.Caller.User;
        var id = user.Id.ToString(CultureInfo.InvariantCulture);
        var withEmail = context.Caller.Scopes.Contains("user") || context.Caller.Scopes.Contains("user_basic");
        var row = PhpArray.From(
            ("ID", id),
            ("ACTIVE", user.IsActive),
            ("NAME", user.Name),
            ("LAST_NAME", user.LastName),
            ("SECOND_NAME", ""));
        if (withEmail) row.Set("EMAIL", user.Email);
        row.Set("LAST_LOGIN", Date(user.LastLoginAt ?? user.RegisteredAt));
        row.Set("DATE_REGISTER", Date(user.RegisteredAt));
        row.Set("PERSONAL_GENDER", "");
        row.Set("PERSONAL_BIRTHDAY", "");
        row.Set("WORK_POSITION", "");
        row.Set("IS_ONLINE", "N");
        row.Set("UF_DEPARTMENT", new PhpArray());
        var secured = PhpArray.From(("ID", id), ("NAME", user.Name), ("LAST_NAME", user.LastName));
        if (withEmail) secured.Set("EMAIL", user.Email);
        context.SecurityState = secured;
        return Done(row);
    }

    /// <summary>A stored time as <c>server.time</c> writes it; a user made before times were kept has none.</summary>
    private string Date(DateTimeOffset? at) => at is { } t ? TimeBlock.FormatDate(t, time.LocalTimeZone) : "";

    private static ValueTask<object?> UserAccess(RestContext context)
    {
        var user = context.Caller.User;
        if (user.IsAdmin) return Done(true);
        var codes = AccessCodes(context.Params.GetAnyCase("ACCESS"));
        var mine = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "AU", "G2", "U" + user.Id.ToString(CultureInfo.InvariantCulture) };
        return Done(codes.Any(mine.Contains));
    }

    /// <summary>
    /// Names of access codes. The work must not grow with what a client sends: codes are taken once each, at
    /// most <see cref="MaxAccessCodes"/> of them, and their users are read in one query.
    /// </summary>
    private async ValueTask<object?> AccessName(RestContext context)
    {
        var codes = AccessCodes(context.Params.GetAnyCase("ACCESS")).Distinct(StringComparer.Ordinal).Take(MaxAccessCodes).ToList();
        if (codes.Count == 0) return false;
        var userIds = new HashSet<long>();
        foreach (var code in codes)
        {
            if (UserIdOf(code) is { } id) userIds.Add(id);
        }
        var users = (await identity.FindUsersAsync(context.Caller.Portal.Id, userIds, context.CancellationToken)).ToDictionary(u => u.Id);
        var result = new PhpArray();
        foreach (var code in codes)
        {
            var entry = code.ToUpperInvariant() switch
            {
                "AU" => Access("", "All authorized users", "other"),
                "G1" => Access("", "Administrators", "group"),
                "G2" => Access("", "All users", "group"),
                _ when UserIdOf(code) is { } id && users.TryGetValue(id, out var user) => Access("Users", $"{user.Name} {user.LastName}".Trim(), "user"),
                _ => null,
            };
            if (entry is not null) result.Set(code, entry);
        }
        return result;
    }

    /// <summary>More codes than any access dialog shows at once; the rest are not named.</summary>
    public const int MaxAccessCodes = 1000;

    private static long? UserIdOf(string code) =>
        code.Length > 1 && code[0] is 'U' or 'u' && long.TryParse(code.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;

    private static PhpArray Access(string provider, string name, string providerId) => PhpArray.From(("provider", provider), ("name", name), ("provider_id", providerId));

    private static List<string> AccessCodes(object? value) => value switch
    {
        PhpArray array => array.Select(p => p.Value).OfType<string>().Where(s => s.Length > 0).ToList(),
        string s when s.Length > 0 => [s],
        _ => [],
    };

    /// <summary>
    /// For an app, the installed app and the portal's licence (docs/decisions.md #24), signed on request. For a webhook
    /// called directly, its scopes and the licence, as the real server answers password auth (#23); a batch
    /// command carries no password, so there it is refused.
    /// </summary>
    private static ValueTask<object?> AppInfo(RestContext context)
    {
        var caller = context.Caller;
        var portal = caller.Portal;
        if (caller.App is not { } app)
        {
            if (context.InBatch) throw SystemErrors.ApplicationContextRequired;
            return Done(PhpArray.From(("SCOPE", PhpArray.List(caller.Scopes.Order(StringComparer.Ordinal))), ("LICENSE", portal.License)));
        }
        var info = PhpArray.From(
            ("ID", app.Id),
            ("CODE", app.Code),
            ("VERSION", app.Version),
            ("STATUS", "L"),
            ("INSTALLED", true),
            ("PAYMENT_EXPIRED", "N"),
            ("DAYS", null),
            ("LANGUAGE_ID", portal.Language),
            ("LICENSE", portal.License),
            ("LICENSE_TYPE", portal.LicenseType),
            ("LICENSE_FAMILY", Licence.Family(portal.LicenseType)));
        context.SecurityState = info;
        return Done(info);
    }

    private static ValueTask<object?> FeatureGet(RestContext context)
    {
        var code = context.Params.GetAnyCase("CODE") as string;
        if (string.IsNullOrEmpty(code)) throw new RestError("CODE_EMPTY", "CODE can't be empty", 400);
        return Done(PhpArray.From(("value", Features.GetValueOrDefault(code, "N"))));
    }
}
