using B24Mail.Storage.Identity;

namespace B24Mail.Storage.State;

/// <summary>A state document that was read and found good: per portal, its identity part and each section's part, in the order of <see cref="StateStore"/>'s sections.</summary>
public sealed record StateDocument(IReadOnlyList<StatePortal> Portals)
{
    /// <summary>
    /// <c>/rest/{user}/{secret}/</c> of the first webhook, in document order, whose plain secret the document gave:
    /// the URL a start prints. Null when every secret came as a hash.
    /// </summary>
    public string? BootstrapPath => Portals.SelectMany(p => p.Identity.Webhooks).FirstOrDefault(w => w.Secret is not null) is { } hook
        ? $"/rest/{hook.User}/{hook.Secret}/"
        : null;
}
