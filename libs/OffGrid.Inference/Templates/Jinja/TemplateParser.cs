using System.Globalization;
using OffGrid.Inference.Templates.Jinja.Nodes;

namespace OffGrid.Inference.Templates.Jinja;

/// <summary>
/// Recursive-descent parser from tokens to statement and expression nodes, following Jinja2's grammar and operator
/// precedence. Filters and tests are resolved here, so an unknown name fails at parse time as in Jinja.
/// </summary>
internal sealed class TemplateParser
{
    private static readonly string[] s_comparisonSigns = ["==", "!=", "<", ">", "<=", ">="];

    private readonly List<Token> _tokens;
    private int _index;

    private TemplateParser(List<Token> tokens) => _tokens = tokens;

    private Token Current => _tokens[_index];

    /// <summary>Parses a whole template into its top-level statements.</summary>
    /// <exception cref="ChatTemplateException">The template is not valid.</exception>
    public static List<Statement> Parse(string source)
    {
        var parser = new TemplateParser(TemplateLexer.Tokenize(source));
        return parser.ParseBody([], out _);
    }

    /// <summary>
    /// Parses statements until a <c>{% name %}</c> tag whose name is one of <paramref name="terminators"/>; returns
    /// with that name consumed (reported in <paramref name="terminator"/>) and the tag's remaining tokens unread.
    /// </summary>
    private List<Statement> ParseBody(string[] terminators, out string terminator)
    {
        var body = new List<Statement>();
        while (true)
        {
            var token = Current;
            switch (token.Kind)
            {
                case TokenKind.Text:
                    _index++;
                    body.Add(new TextStatement(token.Line, token.Value));
                    break;
                case TokenKind.VariableBegin:
                    _index++;
                    body.Add(new OutputStatement(token.Line, ParseTuple()));
                    Expect(TokenKind.VariableEnd);
                    break;
                case TokenKind.BlockBegin:
                    _index++;
                    var name = Expect(TokenKind.Name);
                    if (terminators.Contains(name.Value))
                    {
                        terminator = name.Value;
                        return body;
                    }

                    ParseStatement(name, body);
                    break;
                case TokenKind.End when terminators.Length == 0:
                    terminator = string.Empty;
                    return body;
                default:
                    throw Fail(token, terminators.Length > 0
                        ? $"Unexpected end of template; expected '{string.Join("' or '", terminators)}'."
                        : $"Unexpected '{token.Value}'.");
            }
        }
    }

    private void ParseStatement(Token tag, List<Statement> body)
    {
        switch (tag.Value)
        {
            case "if":
                body.Add(ParseIf(tag));
                break;
            case "for":
                body.Add(ParseFor(tag));
                break;
            case "set":
                body.Add(ParseSet(tag));
                break;
            case "macro":
                body.Add(ParseMacro(tag));
                break;
            case "call":
                body.Add(ParseCallBlock(tag));
                break;
            case "filter":
                body.Add(ParseFilterBlock(tag));
                break;
            case "break" or "continue":
                Expect(TokenKind.BlockEnd);
                body.Add(new LoopControlStatement(tag.Line, tag.Value == "break" ? LoopControl.Break : LoopControl.Continue));
                break;
            case "generation":
                // Hugging Face's {% generation %} marks assistant text for training masks; for rendering it is transparent.
                Expect(TokenKind.BlockEnd);
                body.AddRange(ParseBody(["endgeneration"], out _));
                Expect(TokenKind.BlockEnd);
                break;
            default:
                throw Fail(tag, $"Unknown tag '{tag.Value}'.");
        }
    }

    private IfStatement ParseIf(Token tag)
    {
        var branches = new List<(Expression, IReadOnlyList<Statement>)>();
        IReadOnlyList<Statement> otherwise = [];
        var condition = ParseExpression();
        while (true)
        {
            Expect(TokenKind.BlockEnd);
            var body = ParseBody(["elif", "else", "endif"], out string terminator);
            branches.Add((condition, body));
            if (terminator == "elif")
            {
                condition = ParseExpression();
                continue;
            }

            if (terminator == "else")
            {
                Expect(TokenKind.BlockEnd);
                otherwise = ParseBody(["endif"], out _);
            }

            Expect(TokenKind.BlockEnd);
            return new IfStatement(tag.Line, branches, otherwise);
        }
    }

    private ForStatement ParseFor(Token tag)
    {
        var target = AssignmentTarget.Names(ParseTargetNames());
        ExpectName("in");
        var iterable = ParseExpression(allowConditional: false);
        Expression? condition = null;
        if (Current.IsName("if"))
        {
            _index++;
            condition = ParseExpression();
        }

        if (Current.IsName("recursive"))
        {
            throw Fail(Current, "Recursive loops are not supported.");
        }

        Expect(TokenKind.BlockEnd);
        var body = ParseBody(["else", "endfor"], out string terminator);
        IReadOnlyList<Statement> otherwise = [];
        if (terminator == "else")
        {
            Expect(TokenKind.BlockEnd);
            otherwise = ParseBody(["endfor"], out _);
        }

        Expect(TokenKind.BlockEnd);
        return new ForStatement(tag.Line, target, iterable, condition, body, otherwise);
    }

    private Statement ParseSet(Token tag)
    {
        AssignmentTarget target;
        string first = Expect(TokenKind.Name).Value;
        if (Current.IsOperator("."))
        {
            _index++;
            target = AssignmentTarget.NamespaceAttribute(first, Expect(TokenKind.Name).Value);
        }
        else
        {
            var names = new List<string> { first };
            while (Current.IsOperator(","))
            {
                _index++;
                names.Add(Expect(TokenKind.Name).Value);
            }

            target = AssignmentTarget.Names(names);
        }

        if (Current.IsOperator("="))
        {
            _index++;
            var value = ParseTuple();
            Expect(TokenKind.BlockEnd);
            return new SetStatement(tag.Line, target, value);
        }

        Expect(TokenKind.BlockEnd);
        var body = ParseBody(["endset"], out _);
        Expect(TokenKind.BlockEnd);
        return new SetBlockStatement(tag.Line, target, body);
    }

    private MacroStatement ParseMacro(Token tag)
    {
        string name = Expect(TokenKind.Name).Value;
        var parameters = ParseParameters();
        Expect(TokenKind.BlockEnd);
        var body = ParseBody(["endmacro"], out _);
        if (Current.Kind == TokenKind.Name)
        {
            _index++;
        }

        Expect(TokenKind.BlockEnd);
        return new MacroStatement(tag.Line, name, parameters, body);
    }

    private CallBlockStatement ParseCallBlock(Token tag)
    {
        IReadOnlyList<MacroParameter> callerParameters = Current.IsOperator("(") ? ParseParameters() : [];
        if (ParseExpression() is not CallExpression call)
        {
            throw Fail(tag, "A call block needs a macro call, such as {% call render(x) %}.");
        }

        Expect(TokenKind.BlockEnd);
        var body = ParseBody(["endcall"], out _);
        Expect(TokenKind.BlockEnd);
        return new CallBlockStatement(tag.Line, call.Target, call.Arguments, callerParameters, body);
    }

    private FilterBlockStatement ParseFilterBlock(Token tag)
    {
        var filters = new List<Func<Expression, Expression>> { ParseFilterApplication() };
        while (Current.IsOperator("|"))
        {
            _index++;
            filters.Add(ParseFilterApplication());
        }

        Expect(TokenKind.BlockEnd);
        var body = ParseBody(["endfilter"], out _);
        Expect(TokenKind.BlockEnd);
        return new FilterBlockStatement(tag.Line, filters, body);
    }

    private List<MacroParameter> ParseParameters()
    {
        var parameters = new List<MacroParameter>();
        ExpectOperator("(");
        while (!Current.IsOperator(")"))
        {
            if (parameters.Count > 0)
            {
                ExpectOperator(",");
            }

            string name = Expect(TokenKind.Name).Value;
            Expression? fallback = null;
            if (Current.IsOperator("="))
            {
                _index++;
                fallback = ParseExpression();
            }

            parameters.Add(new MacroParameter(name, fallback));
        }

        _index++;
        return parameters;
    }

    private List<string> ParseTargetNames()
    {
        bool parenthesized = Current.IsOperator("(");
        if (parenthesized)
        {
            _index++;
        }

        var names = new List<string> { Expect(TokenKind.Name).Value };
        while (Current.IsOperator(","))
        {
            _index++;
            names.Add(Expect(TokenKind.Name).Value);
        }

        if (parenthesized)
        {
            ExpectOperator(")");
        }

        return names;
    }

    /// <summary>An expression, or a bare tuple <c>a, b</c> where Jinja allows one (output and <c>set</c> values).</summary>
    private Expression ParseTuple()
    {
        var first = ParseExpression();
        if (!Current.IsOperator(","))
        {
            return first;
        }

        var items = new List<Expression> { first };
        while (Current.IsOperator(","))
        {
            _index++;
            items.Add(ParseExpression());
        }

        return new ListExpression(items, isTuple: true);
    }

    private Expression ParseExpression(bool allowConditional = true)
    {
        var expression = ParseOr();
        if (!allowConditional || !Current.IsName("if"))
        {
            return expression;
        }

        _index++;
        var condition = ParseOr();
        Expression? otherwise = null;
        if (Current.IsName("else"))
        {
            _index++;
            otherwise = ParseExpression();
        }

        return new ConditionalExpression(condition, expression, otherwise);
    }

    private Expression ParseOr()
    {
        var left = ParseAnd();
        while (Current.IsName("or"))
        {
            _index++;
            left = new LogicalExpression(isAnd: false, left, ParseAnd());
        }

        return left;
    }

    private Expression ParseAnd()
    {
        var left = ParseNot();
        while (Current.IsName("and"))
        {
            _index++;
            left = new LogicalExpression(isAnd: true, left, ParseNot());
        }

        return left;
    }

    private Expression ParseNot()
    {
        if (Current.IsName("not"))
        {
            _index++;
            return new UnaryExpression("not", ParseNot());
        }

        return ParseCompare();
    }

    private Expression ParseCompare()
    {
        var first = ParseAdditive();
        var rest = new List<(string, Expression)>();
        while (true)
        {
            string sign;
            if (Current.Kind == TokenKind.Operator && s_comparisonSigns.Contains(Current.Value))
            {
                sign = Current.Value;
                _index++;
            }
            else if (Current.IsName("in"))
            {
                sign = "in";
                _index++;
            }
            else if (Current.IsName("not") && _tokens[_index + 1].IsName("in"))
            {
                sign = "not in";
                _index += 2;
            }
            else
            {
                break;
            }

            rest.Add((sign, ParseAdditive()));
        }

        return rest.Count == 0 ? first : new CompareExpression(first, rest);
    }

    private Expression ParseAdditive() => ParseBinary(["+", "-"], ParseConcat);

    private Expression ParseConcat() => ParseBinary(["~"], ParseMultiplicative);

    private Expression ParseMultiplicative() => ParseBinary(["*", "/", "//", "%"], ParsePower);

    private Expression ParsePower() => ParseBinary(["**"], () => ParseUnary(withFilters: true));

    private Expression ParseBinary(string[] signs, Func<Expression> operand)
    {
        var left = operand();
        while (Current.Kind == TokenKind.Operator && signs.Contains(Current.Value))
        {
            string sign = Current.Value;
            _index++;
            left = new BinaryExpression(sign, left, operand());
        }

        return left;
    }

    private Expression ParseUnary(bool withFilters)
    {
        Expression expression;
        if (Current.IsOperator("-") || Current.IsOperator("+"))
        {
            string sign = Current.Value;
            _index++;
            expression = new UnaryExpression(sign, ParseUnary(withFilters: false));
        }
        else
        {
            expression = ParsePrimary();
        }

        expression = ParsePostfix(expression);
        return withFilters ? ParseFiltersAndTests(expression) : expression;
    }

    private Expression ParsePrimary()
    {
        var token = Current;
        _index++;
        switch (token.Kind)
        {
            case TokenKind.Name:
                return token.Value switch
                {
                    "true" or "True" => new ConstantExpression(true),
                    "false" or "False" => new ConstantExpression(false),
                    "none" or "None" => new ConstantExpression(null),
                    _ => new NameExpression(token.Value),
                };
            case TokenKind.String:
                string text = token.Value;
                while (Current.Kind == TokenKind.String)
                {
                    text += Current.Value;
                    _index++;
                }

                return new ConstantExpression(text);
            case TokenKind.Integer:
                return new ConstantExpression(long.Parse(token.Value, NumberStyles.None, CultureInfo.InvariantCulture));
            case TokenKind.Float:
                return new ConstantExpression(double.Parse(token.Value, NumberStyles.Float, CultureInfo.InvariantCulture));
            case TokenKind.Operator when token.Value == "(":
                return ParseParenthesized();
            case TokenKind.Operator when token.Value == "[":
                return new ListExpression(ParseSequence("]"), isTuple: false);
            case TokenKind.Operator when token.Value == "{":
                return ParseDict();
            default:
                throw Fail(token, $"Unexpected '{token.Value}' in expression.");
        }
    }

    private Expression ParseParenthesized()
    {
        if (Current.IsOperator(")"))
        {
            _index++;
            return new ListExpression([], isTuple: true);
        }

        var first = ParseExpression();
        if (Current.IsOperator(")"))
        {
            _index++;
            return first;
        }

        ExpectOperator(",");
        var items = new List<Expression> { first };
        items.AddRange(ParseSequence(")"));
        return new ListExpression(items, isTuple: true);
    }

    /// <summary>Comma-separated expressions up to <paramref name="close"/>, trailing comma allowed.</summary>
    private List<Expression> ParseSequence(string close)
    {
        var items = new List<Expression>();
        while (!Current.IsOperator(close))
        {
            items.Add(ParseExpression());
            if (!Current.IsOperator(","))
            {
                break;
            }

            _index++;
        }

        ExpectOperator(close);
        return items;
    }

    private DictExpression ParseDict()
    {
        var entries = new List<(Expression, Expression)>();
        while (!Current.IsOperator("}"))
        {
            var key = ParseExpression();
            ExpectOperator(":");
            entries.Add((key, ParseExpression()));
            if (!Current.IsOperator(","))
            {
                break;
            }

            _index++;
        }

        ExpectOperator("}");
        return new DictExpression(entries);
    }

    private Expression ParsePostfix(Expression expression)
    {
        while (true)
        {
            if (Current.IsOperator("."))
            {
                _index++;
                var member = Current;
                _index++;
                expression = member.Kind switch
                {
                    TokenKind.Name => new AttributeExpression(expression, member.Value),
                    TokenKind.Integer => new ItemExpression(expression, new ConstantExpression(long.Parse(member.Value, CultureInfo.InvariantCulture))),
                    _ => throw Fail(member, $"Expected an attribute name after '.', got '{member.Value}'."),
                };
            }
            else if (Current.IsOperator("["))
            {
                _index++;
                expression = ParseSubscript(expression);
            }
            else if (Current.IsOperator("("))
            {
                expression = new CallExpression(expression, ParseArguments());
            }
            else
            {
                return expression;
            }
        }
    }

    private Expression ParseSubscript(Expression target)
    {
        Expression? start = Current.IsOperator(":") ? null : ParseExpression();
        if (start is not null && Current.IsOperator("]"))
        {
            _index++;
            return new ItemExpression(target, start);
        }

        ExpectOperator(":");
        Expression? stop = Current.IsOperator(":") || Current.IsOperator("]") ? null : ParseExpression();
        Expression? step = null;
        if (Current.IsOperator(":"))
        {
            _index++;
            step = Current.IsOperator("]") ? null : ParseExpression();
        }

        ExpectOperator("]");
        return new SliceExpression(target, start, stop, step);
    }

    private ArgumentList ParseArguments()
    {
        ExpectOperator("(");
        var positional = new List<Expression>();
        var named = new List<KeyValuePair<string, Expression>>();
        while (!Current.IsOperator(")"))
        {
            if (positional.Count + named.Count > 0)
            {
                ExpectOperator(",");
                if (Current.IsOperator(")"))
                {
                    break;
                }
            }

            if (Current.Kind == TokenKind.Name && _tokens[_index + 1].IsOperator("="))
            {
                string name = Current.Value;
                _index += 2;
                named.Add(new(name, ParseExpression()));
            }
            else if (named.Count > 0)
            {
                throw Fail(Current, "Positional argument after keyword argument.");
            }
            else
            {
                positional.Add(ParseExpression());
            }
        }

        _index++;
        return positional.Count + named.Count == 0 ? ArgumentList.Empty : new ArgumentList(positional, named);
    }

    private Expression ParseFiltersAndTests(Expression expression)
    {
        while (true)
        {
            if (Current.IsOperator("|"))
            {
                _index++;
                expression = ParseFilterApplication()(expression);
            }
            else if (Current.IsName("is"))
            {
                _index++;
                expression = ParseTest(expression);
            }
            else if (Current.IsOperator("("))
            {
                expression = new CallExpression(expression, ParseArguments());
            }
            else
            {
                return expression;
            }
        }
    }

    /// <summary>Parses <c>name(arguments)</c> after a <c>|</c>; returns a function that applies it to an operand.</summary>
    private Func<Expression, Expression> ParseFilterApplication()
    {
        var name = Expect(TokenKind.Name);
        if (!BuiltinFilters.TryGet(name.Value, out var filter))
        {
            throw Fail(name, $"No filter named '{name.Value}'.");
        }

        var arguments = Current.IsOperator("(") ? ParseArguments() : ArgumentList.Empty;
        return operand => new FilterExpression(operand, filter, arguments);
    }

    private TestExpression ParseTest(Expression operand)
    {
        bool negated = false;
        if (Current.IsName("not"))
        {
            negated = true;
            _index++;
        }

        var name = Expect(TokenKind.Name);
        if (!BuiltinTests.TryGet(name.Value, out var test))
        {
            throw Fail(name, $"No test named '{name.Value}'.");
        }

        ArgumentList arguments = ArgumentList.Empty;
        if (Current.IsOperator("("))
        {
            arguments = ParseArguments();
        }
        else if (StartsTestArgument(Current))
        {
            // Jinja allows one argument without parentheses: "x is divisibleby 3", "x is sameas false".
            arguments = new ArgumentList([ParsePostfix(ParsePrimary())], []);
        }

        return new TestExpression(operand, test, arguments, negated);
    }

    private static bool StartsTestArgument(Token token) => token.Kind switch
    {
        TokenKind.Name => token.Value is not ("else" or "or" or "and" or "if" or "is" or "in" or "not"),
        TokenKind.String or TokenKind.Integer or TokenKind.Float => true,
        TokenKind.Operator => token.Value is "[" or "{",
        _ => false,
    };

    private Token Expect(TokenKind kind)
    {
        var token = Current;
        if (token.Kind != kind)
        {
            throw Fail(token, $"Expected {Describe(kind)}, got '{token.Value}'.");
        }

        _index++;
        return token;
    }

    private void ExpectOperator(string sign)
    {
        if (!Current.IsOperator(sign))
        {
            throw Fail(Current, $"Expected '{sign}', got '{Current.Value}'.");
        }

        _index++;
    }

    private void ExpectName(string name)
    {
        if (!Current.IsName(name))
        {
            throw Fail(Current, $"Expected '{name}', got '{Current.Value}'.");
        }

        _index++;
    }

    private static string Describe(TokenKind kind) => kind switch
    {
        TokenKind.BlockEnd => "'%}'",
        TokenKind.VariableEnd => "'}}'",
        TokenKind.Name => "a name",
        _ => kind.ToString(),
    };

    private static ChatTemplateException Fail(Token token, string message) => new(message, token.Line);
}
