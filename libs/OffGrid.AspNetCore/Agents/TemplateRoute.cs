using Microsoft.AspNetCore.Routing.Matching;
using Microsoft.AspNetCore.Routing.Patterns;

namespace OffGrid.AspNetCore.Agents;

/// <summary>
/// The route of one agent template, <c>/{name}</c>, for every name but <c>runs</c>: that segment is the runs' route and
/// never a template name (<see cref="OffGrid.Agents.Templates.AgentTemplate.IsValidName(string?)"/> refuses it), so a method
/// the runs' route does not have (<c>DELETE /runs</c>) is 405 rather than a template lookup. The routing table applies it
/// when it is built (<see cref="IParameterLiteralNodeMatchingPolicy"/>), so the literal <c>runs</c> leads only to the runs'
/// endpoints and their methods.
/// </summary>
internal sealed class TemplateRoute : IRouteConstraint, IParameterLiteralNodeMatchingPolicy
{
    /// <summary>The pattern <c>/{name}</c> with this constraint on <c>name</c>.</summary>
    public static RoutePattern Pattern { get; } = RoutePatternFactory.Parse("/{name}", defaults: null, parameterPolicies: new RouteValueDictionary { ["name"] = new TemplateRoute() });

    /// <inheritdoc />
    public bool Match(HttpContext? httpContext, IRouter? route, string routeKey, RouteValueDictionary values, RouteDirection routeDirection) =>
        values.TryGetValue(routeKey, out object? value) && MatchesLiteral(routeKey, value as string ?? "");

    /// <inheritdoc />
    public bool MatchesLiteral(string parameterName, string literal) => !string.Equals(literal, "runs", StringComparison.Ordinal);
}
