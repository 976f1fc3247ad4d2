using B24Mail.Storage.Identity;

namespace B24Mail.Storage.State;

/// <summary>One portal of a <see cref="StateDocument"/>: its identity part and each section's part, in the order of the sections.</summary>
public sealed record StatePortal(IdentityState.PortalPart Identity, IReadOnlyList<object> Parts);
