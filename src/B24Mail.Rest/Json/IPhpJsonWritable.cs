using System.Text.Json;
using B24Mail.Rest.Values;

namespace B24Mail.Rest.Json;

/// <summary>
/// A result that writes its own JSON, exactly the bytes <see cref="PhpJsonWriter"/> would write for
/// <see cref="IPhpSerializable.ToPhp"/>, without building that array first. Lists of thousands of rows are
/// written this way so that answering them does not allocate a map per row; XML and batch references still use
/// <see cref="IPhpSerializable.ToPhp"/>.
/// </summary>
public interface IPhpJsonWritable : IPhpSerializable
{
    /// <summary>Writes with the writer's own options, which decide the escaping, as for every other value.</summary>
    void WriteJson(Utf8JsonWriter writer);
}
