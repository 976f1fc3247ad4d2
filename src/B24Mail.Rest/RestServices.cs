using B24Mail.Rest.Batch;
using B24Mail.Rest.Common;
using B24Mail.Rest.Dispatch;
using B24Mail.Rest.Identity;
using B24Mail.Rest.Limits;
using B24Mail.Rest.OAuth;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using B24Mail.Rest.Transport;

namespace B24Mail.Rest;

/// <summary>The protocol core as a module: its options, the dispatcher, the limits, OAuth and the methods every portal has.</summary>
public static class RestServices
{
    /// <summary>Scopes add themselves as <see cref="IRestScope"/>; the registry collects them when first used.</summary>
    public static IServiceCollection AddBitrixRest(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RestOptions>().Bind(configuration).Offered();
        services.AddOptions<LimitOptions>().Bind(configuration)
            .Validate(o => o.RateBurst >= 1 && double.IsFinite(o.RateBurst), "--rate-limit-burst (B24MAIL_RATELIMITBURST) takes a number of at least 1.")
            .Validate(o => o.RatePerSecond > 0 && double.IsFinite(o.RatePerSecond), "--rate-limit-per-second (B24MAIL_RATELIMITPERSECOND) takes a positive number.")
            .Validate(o => o.OperatingLimitSeconds >= 0 && double.IsFinite(o.OperatingLimitSeconds), "--operating-limit (B24MAIL_OPERATINGLIMIT) takes 0 (off) or a positive number of seconds.")
            .Offered();
        services.AddOptions<OAuthOptions>().Bind(configuration)
            .Validate(o => o.AccessTokenLifetimeSeconds > 0, "--access-token-lifetime (B24MAIL_ACCESSTOKENLIFETIME) takes a positive number of seconds.")
            .Validate(o => o.RefreshTokenLifetimeSeconds > 0, "--refresh-token-lifetime (B24MAIL_REFRESHTOKENLIFETIME) takes a positive number of seconds.")
            .Offered();
        services.TryAddSingleton<IRestRecorder, NoRestRecorder>();
        services.AddSingleton<OAuthServer>();
        services.AddSingleton<Authenticator>();
        services.AddSingleton<Dispatcher>();
        services.AddSingleton<RestLimits>();
        services.AddSingleton<IRestScope, CommonMethods>();
        services.AddSingleton<IRestScope, BatchMethod>();
        services.AddSingleton(sp =>
        {
            var registry = new MethodRegistry();
            foreach (var scope in sp.GetServices<IRestScope>()) scope.Register(registry);
            return registry;
        });
        return services;
    }
}
