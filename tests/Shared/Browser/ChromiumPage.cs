using Microsoft.Playwright;

namespace OffGrid.Testing.Browser;

/// <summary>
/// One page of Debian's chromium, headless, driven by Playwright: tests type, click and read the web UI as a person would.
/// Playwright never downloads a browser here; it launches <see cref="ExecutablePath"/>.
/// </summary>
internal sealed class ChromiumPage : IAsyncDisposable
{
    public const string ExecutablePath = "/usr/bin/chromium";

    // The suite shares two cores with model inference: Playwright's 5 s defaults are too tight for a loaded machine.
    private const float TimeoutMilliseconds = 30_000;

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    private ChromiumPage(IPlaywright playwright, IBrowser browser, IPage page)
    {
        _playwright = playwright;
        _browser = browser;
        Page = page;
    }

    public static bool IsInstalled => File.Exists(ExecutablePath);

    public IPage Page { get; }

    /// <summary>Starts chromium and opens <paramref name="url"/> in a fresh profile.</summary>
    public static async Task<ChromiumPage> OpenAsync(Uri url)
    {
        Assertions.SetDefaultExpectTimeout(TimeoutMilliseconds);
        IPlaywright playwright = await Playwright.CreateAsync();
        try
        {
            IBrowser browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = ExecutablePath, Args = ["--no-sandbox"] });
            IPage page = await browser.NewPageAsync();
            page.SetDefaultTimeout(TimeoutMilliseconds);
            await page.GotoAsync(url.ToString());
            return new ChromiumPage(playwright, browser, page);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}
