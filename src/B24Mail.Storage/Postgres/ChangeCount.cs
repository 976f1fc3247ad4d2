using System.Collections.Immutable;

namespace B24Mail.Storage.Postgres;

/// <summary>
/// The change counts read at one moment: <see cref="All"/> moves with every write that did not say which tables it
/// changed, each group's count with the writes that named that group. A cached result of a group is valid for the
/// pair (All, group).
/// </summary>
internal sealed record ChangeCount(long All, ImmutableDictionary<string, long> Groups)
{
    public bool Has(string group) => Groups.ContainsKey(group);

    public GroupVersion For(string group) => new(All, Groups[group]);

    /// <summary>Each count at its newer value: every value here was read after the writes it counts committed.</summary>
    public ChangeCount Max(ChangeCount other)
    {
        var groups = Groups;
        foreach (var (group, value) in other.Groups)
        {
            if (!groups.TryGetValue(group, out var mine) || mine < value) groups = groups.SetItem(group, value);
        }
        return new ChangeCount(Math.Max(All, other.All), groups);
    }

    /// <summary>These counts after a write of this request bumped <paramref name="group"/> (null: all) to <paramref name="value"/>.</summary>
    public ChangeCount After(string? group, long value) => group is null
        ? this with { All = Math.Max(All, value) }
        : this with { Groups = Groups.SetItem(group, Math.Max(Groups.GetValueOrDefault(group, -1), value)) };
}

/// <summary>What a cached result of one group of tables depends on.</summary>
internal readonly record struct GroupVersion(long All, long Group)
{
    public bool Covers(GroupVersion other) => All >= other.All && Group >= other.Group;

    public GroupVersion Max(GroupVersion other) => new(Math.Max(All, other.All), Math.Max(Group, other.Group));
}
