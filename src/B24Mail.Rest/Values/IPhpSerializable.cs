namespace B24Mail.Rest.Values;

/// <summary>A result record that knows its PHP shape (key order and string-typed values).</summary>
public interface IPhpSerializable
{
    PhpArray ToPhp();
}
