namespace OffGrid.Governance.Audit;

/// <summary>The file formats of an audit export.</summary>
public enum AuditExportFormat
{
    /// <summary>A JSON array of objects with snake_case names.</summary>
    Json = 0,

    /// <summary>RFC 4180 CSV with a header row; cells that a spreadsheet would run as a formula are prefixed with <c>'</c>.</summary>
    Csv = 1,

    /// <summary>An Excel workbook (Office Open XML) with one sheet.</summary>
    Xlsx = 2,
}
