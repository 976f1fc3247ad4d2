using B24Mail.MailServices.Icons;
using B24Mail.MailServices.Storage;
using B24Mail.Rest.Dispatch;
using B24Mail.Rest.Values;
using Microsoft.Extensions.Logging;

namespace B24Mail.MailServices;

/// <summary>The six <c>mailservice.*</c> methods (docs/protocol.md §9, docs/decisions.md #1–#14).</summary>
public sealed class MailServiceMethods(IMailServiceStore store, IIconBlobStore blobs, IconPolicy icons, ILogger<MailServiceMethods> logger) : IRestScope
{
    public const string Scope = "mailservice";

    public void Register(MethodRegistry registry)
    {
        registry
            .Add(new RestMethod("mailservice.fields", Scope, Fields))
            .Add(new RestMethod("mailservice.list", Scope, List))
            .Add(new RestMethod("mailservice.get", Scope, Get))
            .Add(new RestMethod("mailservice.add", Scope, Add) { DeniedToNonAdmins = MailServiceErrors.AccessDenied })
            .Add(new RestMethod("mailservice.update", Scope, Update) { DeniedToNonAdmins = MailServiceErrors.AccessDenied })
            .Add(new RestMethod("mailservice.delete", Scope, Delete) { DeniedToNonAdmins = MailServiceErrors.AccessDenied });
    }

    private static ValueTask<object?> Fields(RestContext context) => ValueTask.FromResult<object?>(MailServiceFields.Labels());

    private async ValueTask<object?> List(RestContext context)
    {
        var portal = context.Caller.Portal;
        var services = await store.ListActiveAsync(portal.Id, portal.SiteId, context.CancellationToken);
        if (services.Count == 0) throw MailServiceErrors.ListEmpty;
        return new MailServiceList(services, context.BaseUrl);
    }

    private async ValueTask<object?> Get(RestContext context)
    {
        var service = await FindAsync(context);
        return new MailServiceRow(service, context.BaseUrl);
    }

    private async ValueTask<object?> Add(RestContext context)
    {
        var changes = await ReadFieldsAsync(context, isAdd: true);
        var portal = context.Caller.Portal;
        return await WriteWithIconAsync(context, changes, icon => store.AddAsync(portal.Id, portal.SiteId, changes, icon, context.CancellationToken));
    }

    private async ValueTask<object?> Update(RestContext context)
    {
        var id = (await FindAsync(context)).Id;
        var changes = await ReadFieldsAsync(context, isAdd: false);
        var result = await WriteWithIconAsync(context, changes, icon => store.UpdateAsync(context.Caller.Portal.Id, id, changes, icon, context.CancellationToken));
        await DeleteBlobsAsync(result.Orphaned);
        if (!result.Found) throw MailServiceErrors.NotFound;
        return true;
    }

    private async ValueTask<object?> Delete(RestContext context)
    {
        var id = (await FindAsync(context)).Id;
        var result = await store.DeleteAsync(context.Caller.Portal.Id, id, context.CancellationToken);
        await DeleteBlobsAsync(result.Orphaned);
        if (!result.Found) throw MailServiceErrors.NotFound;
        return true;
    }

    /// <summary>ID present, then the service exists (docs/decisions.md #2); parameter names are case-sensitive.</summary>
    private async Task<MailService> FindAsync(RestContext context)
    {
        context.Params.TryGetValue("ID", out var raw);
        if (!ParamConvert.TryId(raw, out var id))
        {
            // A string of digits too long for an ID names no service, but it was specified.
            if (raw is string digits && digits.Length > 0 && digits.All(char.IsAsciiDigit) && digits.TrimStart('0').Length > 0) throw MailServiceErrors.NotFound;
            throw MailServiceErrors.IdNotSpecified;
        }
        return await store.GetAsync(context.Caller.Portal.Id, id, context.CancellationToken) ?? throw MailServiceErrors.NotFound;
    }

    private async Task<MailServiceChanges> ReadFieldsAsync(RestContext context, bool isAdd)
    {
        var changes = new MailServiceChanges();
        var errors = MailServiceFields.Read(context.Params, isAdd, changes, icons);
        if (changes.Icon is IconInput.Existing existing && !await store.IconExistsAsync(context.Caller.Portal.Id, existing.FileId, context.CancellationToken))
        {
            errors.Add(MailServiceErrors.InvalidValue(MailServiceFields.LabelOf("ICON")));
        }
        if (errors.Count > 0) throw MailServiceErrors.Fields(errors);
        return changes;
    }

    /// <summary>
    /// Saves new icon content before the row that points at it, and removes it again if the row is not
    /// written, so a failed call leaves no file behind.
    /// </summary>
    private async Task<T> WriteWithIconAsync<T>(RestContext context, MailServiceChanges changes, Func<IconWrite?, Task<T>> write)
    {
        var portalId = context.Caller.Portal.Id;
        IconWrite? icon = changes.Icon switch
        {
            null => null,
            IconInput.Remove => new IconWrite.Remove(),
            IconInput.Existing existing => new IconWrite.Existing(existing.FileId),
            IconInput.Upload upload => new IconWrite.New(IconNames.NewKey(), upload.FileName, upload.Image.ContentType, upload.Content.Length),
            _ => throw new InvalidOperationException(),
        };
        if (icon is IconWrite.New created && changes.Icon is IconInput.Upload content)
        {
            await blobs.SaveAsync(portalId, created.Key, content.Content, context.CancellationToken);
        }
        try
        {
            var result = await write(icon);
            if (icon is IconWrite.New unused && result is MailServiceWrite { Found: false }) await blobs.DeleteAsync(portalId, unused.Key);
            return result;
        }
        catch (Exception exception)
        {
            if (icon is IconWrite.New failed) await blobs.DeleteAsync(portalId, failed.Key);
            if (exception is UnknownIconException) throw MailServiceErrors.Fields([MailServiceErrors.InvalidValue(MailServiceFields.LabelOf("ICON"))]);
            throw;
        }
    }

    private async Task DeleteBlobsAsync(IReadOnlyList<IconFile> files)
    {
        foreach (var file in files)
        {
            try
            {
                await blobs.DeleteAsync(file.PortalId, file.Key);
            }
            catch (Exception exception) when (exception is IOException or System.Data.Common.DbException)
            {
                logger.LogWarning(exception, "Could not delete icon file {Key}", file.Key);
            }
        }
    }
}
