using B24Mail.Rest.Values;

namespace B24Mail.Tests.Unit;

/// <summary>Field converters (docs/decisions.md #5 Y/N, #6 integers; docs/protocol.md §2.4).</summary>
public class ParamConvertTests
{
    public static TheoryData<object?, bool> YesNoAccepted => new()
    {
        { "Y", true }, { "y", true }, { "N", false }, { "n", false },
        { true, true }, { false, false },
        { 1L, true }, { 0L, false },
        { "1", true }, { "0", false },
        { "true", true }, { "false", false },
    };

    [Theory]
    [MemberData(nameof(YesNoAccepted))]
    public void TryYesNo_accepts(object? value, bool expected)
    {
        Assert.True(ParamConvert.TryYesNo(value, out var yes));
        Assert.Equal(expected, yes);
    }

    public static TheoryData<object?> YesNoRejected => new()
    {
        "yes", "no", "", " ", "2", "-1", "YN", "on", "off", 2L, -1L, 1.5, (object?)null, new PhpArray(), PhpArray.List(new object?[] { "Y" }),
    };

    [Theory]
    [MemberData(nameof(YesNoRejected))]
    public void TryYesNo_rejects(object? value)
    {
        Assert.False(ParamConvert.TryYesNo(value, out var yes));
        Assert.False(yes);
    }

    public static TheoryData<object?, long> IntegerAccepted => new()
    {
        { 993L, 993 }, { 0L, 0 }, { -5L, -5 },
        { "993", 993 }, { " 993 ", 993 }, { "0", 0 }, { "-5", -5 }, { "+7", 7 }, { "007", 7 },
        { 993.0, 993 }, { -2.0, -2 }, { 0.0, 0 },
        { "9223372036854775807", long.MaxValue },
    };

    [Theory]
    [MemberData(nameof(IntegerAccepted))]
    public void TryInteger_accepts(object? value, long expected)
    {
        Assert.True(ParamConvert.TryInteger(value, out var number));
        Assert.Equal(expected, number);
    }

    public static TheoryData<object?> IntegerRejected => new()
    {
        "9a", "a9", "1.5", "1.0", "1e3", "0x10", "", "   ", "-", "+", "1 2", "--1",
        1.5, -0.5, double.NaN, double.PositiveInfinity, 1e20,
        true, false, (object?)null, new PhpArray(), PhpArray.List(new object?[] { 1L }),
        "123456789012345678901",          // 21 characters
        "99999999999999999999",           // 20 digits, overflows long
        new string('1', 100),
    };

    [Theory]
    [MemberData(nameof(IntegerRejected))]
    public void TryInteger_rejects(object? value)
    {
        Assert.False(ParamConvert.TryInteger(value, out _));
    }

    public static TheoryData<object?, long> IdAccepted => new()
    {
        { 1L, 1 }, { 31L, 31 }, { "31", 31 }, { " 31 ", 31 }, { 31.0, 31 },
    };

    [Theory]
    [MemberData(nameof(IdAccepted))]
    public void TryId_accepts_positive(object? value, long expected)
    {
        Assert.True(ParamConvert.TryId(value, out var id));
        Assert.Equal(expected, id);
    }

    public static TheoryData<object?> IdRejected => new()
    {
        0L, -1L, "0", "-3", 0.0, -1.0, "abc", "", (object?)null, true, 1.5, new PhpArray(),
    };

    [Theory]
    [MemberData(nameof(IdRejected))]
    public void TryId_rejects_zero_negative_and_non_integers(object? value)
    {
        Assert.False(ParamConvert.TryId(value, out _));
    }

    [Fact]
    public void TryText_converts_scalars_and_refuses_the_rest()
    {
        Assert.True(ParamConvert.TryText("x", out var s));
        Assert.Equal("x", s);
        Assert.True(ParamConvert.TryText(31L, out var l));
        Assert.Equal("31", l);
        Assert.True(ParamConvert.TryText(1.5, out var d));
        Assert.Equal("1.5", d);
        Assert.False(ParamConvert.TryText(null, out _));
        Assert.False(ParamConvert.TryText(new PhpArray(), out _));
        Assert.False(ParamConvert.TryText(double.NaN, out _));
    }

    [Fact]
    public void IsEmpty_only_for_null_and_empty_string()
    {
        Assert.True(ParamConvert.IsEmpty(null));
        Assert.True(ParamConvert.IsEmpty(""));
        Assert.False(ParamConvert.IsEmpty(" "));
        Assert.False(ParamConvert.IsEmpty("0"));
        Assert.False(ParamConvert.IsEmpty(0L));
        Assert.False(ParamConvert.IsEmpty(false));
    }
}
