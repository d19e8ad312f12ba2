namespace OffGrid.Inference.Grammar;

/// <summary>
/// A JSON schema (a response format or a tool's parameters) uses a keyword or a <c>pattern</c> construct that
/// OffGrid cannot enforce while sampling, or is malformed or unsatisfiable. OffGrid refuses such a schema rather
/// than generate output that might not match it.
/// </summary>
/// <remarks>
/// HTTP surfaces answer it with 400. Supported and refused features are listed on
/// <c>LlamaChatClient</c>; the message names the keyword (and, for patterns, the construct) and where it is.
/// </remarks>
public sealed class UnsupportedSchemaException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="keyword">The schema keyword at fault, e.g. <c>if</c> or <c>pattern</c>.</param>
    /// <param name="schemaPath">Where the keyword is, as a JSON pointer into the schema (<c>#/properties/code</c>).</param>
    /// <param name="reason">What cannot be enforced, in a sentence.</param>
    public UnsupportedSchemaException(string keyword, string schemaPath, string reason)
        : base($"The JSON schema keyword '{keyword}' at '{schemaPath}' cannot be enforced: {reason}")
    {
        Keyword = keyword;
        SchemaPath = schemaPath;
    }

    /// <summary>The schema keyword at fault.</summary>
    public string Keyword { get; }

    /// <summary>Where the keyword is, as a JSON pointer into the schema (<c>#</c> is the root).</summary>
    public string SchemaPath { get; }
}
