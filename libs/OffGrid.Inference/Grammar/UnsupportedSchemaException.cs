namespace OffGrid.Inference.Grammar;

/// <summary>
/// A JSON schema (a response format or a tool's parameters) uses a keyword or a <c>pattern</c> construct that
/// OffGrid cannot enforce while sampling, or is malformed or unsatisfiable. OffGrid refuses such a schema rather
/// than generate output that might not match it.
/// </summary>
/// <remarks>
/// A client error: hosts answer it with 400 like any <see cref="InvalidRequestException"/>, naming the request field in
/// <see cref="ArgumentException.ParamName"/> (<c>response_format</c>, <c>tools</c>). The message names the keyword (and,
/// for patterns, the construct) and where it is. What is enforced and what is refused is listed on
/// <c>LlamaChatClient</c>.
/// </remarks>
public sealed class UnsupportedSchemaException : InvalidRequestException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="keyword">The schema keyword at fault, e.g. <c>if</c> or <c>pattern</c>.</param>
    /// <param name="schemaPath">Where the keyword is, as a JSON pointer into the schema (<c>#/properties/code</c>).</param>
    /// <param name="reason">What cannot be enforced, in a sentence.</param>
    /// <param name="paramName">The request field holding the schema, when known.</param>
    public UnsupportedSchemaException(string keyword, string schemaPath, string reason, string? paramName = null)
        : base($"The JSON schema {(paramName is null ? string.Empty : $"in '{paramName}' ")}uses the keyword '{keyword}' at '{schemaPath}', which cannot be enforced: {reason}", paramName)
    {
        Keyword = keyword;
        SchemaPath = schemaPath;
        Reason = reason;
    }

    /// <summary>The schema keyword at fault.</summary>
    public string Keyword { get; }

    /// <summary>Where the keyword is, as a JSON pointer into the schema (<c>#</c> is the root).</summary>
    public string SchemaPath { get; }

    /// <summary>What cannot be enforced, without the keyword and place that <see cref="Exception.Message"/> adds.</summary>
    public string Reason { get; }
}
