using B24Mail.MailServices.Icons;
using B24Mail.MailServices.State;
using B24Mail.MailServices.Storage;
using B24Mail.Rest.Common;
using B24Mail.Rest.Dispatch;
using B24Mail.Rest.Health;
using B24Mail.Storage;
using B24Mail.Storage.State;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace B24Mail.MailServices;

/// <summary>The mailservice scope as a module: its methods, its store, its logo storage and limits.</summary>
public static class MailServiceScope
{
    public static IServiceCollection AddMailServiceScope(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<IconPolicy>().Bind(configuration)
            .Validate(o => o.MaxBytes > 0, "--icon-max-bytes (B24MAIL_ICONMAXBYTES) takes a positive number.")
            .Validate(o => o.MaxDimension > 0, "--icon-max-dimension (B24MAIL_ICONMAXDIMENSION) takes a positive number.")
            .Offered();
        services.AddSingleton<IMailServiceStore, SqlMailServiceStore>();
        services.AddSingleton<IIconBlobStore>(sp =>
        {
            var storage = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            return storage.IconsInDatabase
                ? new DatabaseIconBlobStore(sp.GetRequiredService<IDatabase>())
                : new DiskIconBlobStore(storage.IconFolderPath, sp.GetRequiredService<StorageHealth>());
        });
        services.AddSingleton<IRestScope, MailServiceMethods>();
        // Its logos and services in the state document (/_b24mail/state, --seed, reset).
        services.AddSingleton<IStateSection, MailServiceState>();
        return services;
    }
}
