using System.Globalization;

namespace OffGrid.Hub.Gguf;

/// <summary>A typed GGUF metadata value: a scalar, a string, or an array of one element type.</summary>
/// <remarks>
/// Arrays are kept as typed .NET arrays (<c>float[]</c>, <c>string[]</c>, <c>int[]</c>…; nested arrays as
/// <c>GgufValue[]</c>) so that large tokenizer vocabularies cost one object, not one per entry.
/// Immutable and thread-safe.
/// </remarks>
public sealed class GgufValue
{
    internal GgufValue(GgufValueType type, object value, GgufValueType? elementType = null)
    {
        Type = type;
        Value = value;
        ElementType = elementType;
    }

    /// <summary>Gets the stored type tag.</summary>
    public GgufValueType Type { get; }

    /// <summary>Gets the element type when <see cref="Type"/> is <see cref="GgufValueType.Array"/>; otherwise <see langword="null"/>.</summary>
    public GgufValueType? ElementType { get; }

    /// <summary>Gets the raw value: a boxed primitive, a <see cref="string"/>, or a typed array for arrays.</summary>
    public object Value { get; }

    /// <summary>Gets the number of elements of an array value, or 1 for a scalar.</summary>
    public int Count => Value is Array a ? a.Length : 1;

    /// <summary>Returns the value as a string.</summary>
    /// <returns>The string.</returns>
    /// <exception cref="InvalidCastException">The value is not a string.</exception>
    public string AsString() => Value as string ?? throw Mismatch("a string");

    /// <summary>Returns an integer value (any signed or unsigned width) as a 64-bit signed integer.</summary>
    /// <returns>The integer.</returns>
    /// <exception cref="InvalidCastException">The value is not an integer.</exception>
    /// <exception cref="OverflowException">The value is an unsigned 64-bit integer above <see cref="long.MaxValue"/>.</exception>
    public long AsInt64() => Value switch
    {
        byte v => v,
        sbyte v => v,
        ushort v => v,
        short v => v,
        uint v => v,
        int v => v,
        ulong v => checked((long)v),
        long v => v,
        _ => throw Mismatch("an integer"),
    };

    /// <summary>Returns a numeric value (integer or float) as a double.</summary>
    /// <returns>The number.</returns>
    /// <exception cref="InvalidCastException">The value is not numeric.</exception>
    public double AsDouble() => Value switch
    {
        float v => v,
        double v => v,
        ulong v => v,
        _ => AsInt64(),
    };

    /// <summary>Returns the value as a boolean.</summary>
    /// <returns>The boolean.</returns>
    /// <exception cref="InvalidCastException">The value is not a boolean.</exception>
    public bool AsBoolean() => Value is bool b ? b : throw Mismatch("a boolean");

    /// <summary>Returns an array value as a read-only list of its stored element type.</summary>
    /// <typeparam name="T">The stored element type, for example <see cref="string"/>, <see cref="float"/> or <see cref="int"/>.</typeparam>
    /// <returns>The elements.</returns>
    /// <exception cref="InvalidCastException">The value is not an array of <typeparamref name="T"/>.</exception>
    public IReadOnlyList<T> AsArray<T>() =>
        Value.GetType() == typeof(T[]) ? Array.AsReadOnly((T[])Value) : throw Mismatch("an array of " + typeof(T).Name);

    /// <summary>Returns the integer elements of an array value (any integer element type) as 64-bit integers.</summary>
    /// <returns>The elements.</returns>
    /// <exception cref="InvalidCastException">The value is not an array of integers.</exception>
    public IReadOnlyList<long> AsInt64Array() => ElementType switch
    {
        // Switch on the tag, not the CLR array type: the runtime lets int[] pass as uint[] (and so on).
        GgufValueType.UInt8 => Array.ConvertAll((byte[])Value, v => (long)v),
        GgufValueType.Int8 => Array.ConvertAll((sbyte[])Value, v => (long)v),
        GgufValueType.UInt16 => Array.ConvertAll((ushort[])Value, v => (long)v),
        GgufValueType.Int16 => Array.ConvertAll((short[])Value, v => (long)v),
        GgufValueType.UInt32 => Array.ConvertAll((uint[])Value, v => (long)v),
        GgufValueType.Int32 => Array.ConvertAll((int[])Value, v => (long)v),
        GgufValueType.UInt64 => Array.ConvertAll((ulong[])Value, v => checked((long)v)),
        GgufValueType.Int64 => (long[])Value,
        _ => throw Mismatch("an integer array"),
    };

    /// <inheritdoc/>
    public override string ToString() => Value switch
    {
        string s => s,
        Array a => $"{ElementType}[{a.Length}]",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => Value.ToString() ?? string.Empty,
    };

    private InvalidCastException Mismatch(string expected) =>
        new($"The GGUF value is {Type}{(ElementType is { } e ? " of " + e : string.Empty)}, not {expected}.");
}
