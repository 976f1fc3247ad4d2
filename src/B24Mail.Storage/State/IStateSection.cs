using System.Text.Json;

namespace B24Mail.Storage.State;

/// <summary>
/// One module's part of a portal in the state document (docs in README, "State document"). The core knows no
/// module: the identity part and each scope's part (mail services and their logos) read, write and export their
/// own keys of a portal object, all inside the one transaction that <see cref="StateStore"/> runs, so a document
/// is applied whole or not at all.
/// </summary>
public interface IStateSection
{
    /// <summary>The keys of a portal object this section owns, in the order they are exported.</summary>
    IReadOnlyList<string> Keys { get; }

    /// <summary>
    /// Reads and checks this section's keys of one portal, reporting each problem at its path through
    /// <see cref="JsonObjectReader.State"/>; returns what <see cref="Write"/> needs, or null when there were problems.
    /// Values that must be unique across the document are claimed with <see cref="StateReader.Claim"/>.
    /// </summary>
    object? Read(JsonObjectReader portal);

    /// <summary>First in every state transaction: takes the locks its tables need so no other writer interleaves (PostgreSQL).</summary>
    ValueTask LockAsync(IDbSession session);

    /// <summary>
    /// In the transaction: replaces the portal's rows with <paramref name="part"/>, or removes them all when it is
    /// null (the portal goes). Work outside the database (files) is finished in <see cref="StateChanges.OnComplete"/>.
    /// </summary>
    ValueTask WriteAsync(IDbSession session, long portalId, object? part, StateChanges changes);

    /// <summary>
    /// Last in the transaction: new rows added later must not take an ID the state now holds. With
    /// <paramref name="whole"/> every portal was replaced, and counters go back to the highest ID left, so the
    /// IDs given after a reset are the same each time; otherwise they never go back.
    /// </summary>
    ValueTask FinishAsync(IDbSession session, bool whole);

    /// <summary>In a transaction: writes this section's keys of the portal, as <see cref="Read"/> takes them back.</summary>
    ValueTask ExportAsync(IDbSession session, long portalId, Utf8JsonWriter json);
}
