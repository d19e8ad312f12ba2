using System.Globalization;
using OffGrid.AspNetCore.Http;
using OffGrid.Governance.Audit;

namespace OffGrid.AspNetCore.Governance;

/// <summary>
/// <c>GET /v1/audit/export</c> and <c>GET /v1/audit/verify</c>: the tamper-evident audit log, for auditors and
/// administrators.
/// </summary>
internal static class AuditEndpoints
{
    /// <summary>
    /// Streams the entries that match the filters (<c>user</c>, <c>model</c>, <c>status</c> as an HTTP status code 100–599, <c>from</c> and <c>to</c> as
    /// ISO 8601 times) as <c>format=json</c> (default), <c>csv</c> or <c>xlsx</c>, as a download.
    /// </summary>
    public static async Task ExportAsync(HttpContext http, AuditLog audit)
    {
        IQueryCollection query = http.Request.Query;
        (AuditExportFormat format, string contentType, string extension) = query["format"].ToString().ToLowerInvariant() switch
        {
            "" or "json" => (AuditExportFormat.Json, "application/json", "json"),
            "csv" => (AuditExportFormat.Csv, "text/csv; charset=utf-8", "csv"),
            "xlsx" => (AuditExportFormat.Xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
            var other => throw ApiException.BadRequest($"Unknown format '{other}': use json, csv or xlsx.", "format"),
        };
        var filter = new AuditFilter
        {
            UserName = Text(query, "user"),
            Model = Text(query, "model"),
            Status = (int?)QueryNumber.Read(query, "status", 100, 599),
            From = Time(query, "from"),
            To = Time(query, "to"),
        };

        // Filters are checked before the first byte, so that a bad one is a 400 and not a broken download.
        http.Response.ContentType = contentType;
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"offgrid-audit.{extension}\"";
        await audit.ExportAsync(http.Response.Body, format, filter, http.RequestAborted);
    }

    public static async Task<IResult> VerifyAsync(AuditLog audit, CancellationToken cancellationToken) =>
        Results.Json(GovernanceShapes.Verification(await audit.VerifyAsync(cancellationToken)), ServerJson.Options);

    private static string? Text(IQueryCollection query, string name) => query[name].ToString() is { Length: > 0 } text ? text : null;

    private static DateTimeOffset? Time(IQueryCollection query, string name) =>
        Text(query, name) is not { } text ? null
        : DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset value) ? value
        : throw ApiException.BadRequest($"'{name}' must be an ISO 8601 time such as 2026-01-31 or 2026-01-31T12:00:00Z (was '{text}').", name);
}
