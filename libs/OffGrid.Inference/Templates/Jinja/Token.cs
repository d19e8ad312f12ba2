namespace OffGrid.Inference.Templates.Jinja;

/// <summary>One lexical token with the 1-based line it starts on, for error messages.</summary>
internal readonly record struct Token(TokenKind Kind, string Value, int Line)
{
    /// <summary>Whether this token is the operator or punctuation <paramref name="sign"/>.</summary>
    public bool IsOperator(string sign) => Kind == TokenKind.Operator && Value == sign;

    /// <summary>Whether this token is the name or keyword <paramref name="name"/>.</summary>
    public bool IsName(string name) => Kind == TokenKind.Name && Value == name;
}
