namespace OffGrid.Inference.Templates.Jinja;

/// <summary>The kinds of token the lexer produces.</summary>
internal enum TokenKind
{
    /// <summary>Literal template text outside any tag.</summary>
    Text,

    /// <summary><c>{%</c>: opens a statement.</summary>
    BlockBegin,

    /// <summary><c>%}</c>: closes a statement.</summary>
    BlockEnd,

    /// <summary><c>{{</c>: opens an output expression.</summary>
    VariableBegin,

    /// <summary><c>}}</c>: closes an output expression.</summary>
    VariableEnd,

    /// <summary>An identifier or keyword.</summary>
    Name,

    /// <summary>A string literal, already unescaped.</summary>
    String,

    /// <summary>An integer literal.</summary>
    Integer,

    /// <summary>A floating-point literal.</summary>
    Float,

    /// <summary>An operator or punctuation sign.</summary>
    Operator,

    /// <summary>The end of the template.</summary>
    End,
}
