using System.Diagnostics;

namespace OffGrid.Testing.Network;

/// <summary>
/// A LAN made of Linux network namespaces for multi-machine tests: one namespace per host with an <c>eth0</c> at
/// 10.77.0.N/24, all joined by veth pairs to a bridge in a switch namespace. Nothing is created in the caller's own
/// namespace, so the real network is never touched; multicast (DNS-SD) crosses the bridge like on a real switch.
/// Needs root and <c>ip</c> (Debian iproute2); <see cref="UnavailableReason"/> says why not when they are missing.
/// </summary>
internal sealed class IsolatedLan : IAsyncDisposable
{
    private readonly string _prefix;
    private readonly List<string> _hosts;

    private IsolatedLan(string prefix, List<string> hosts)
    {
        _prefix = prefix;
        _hosts = hosts;
    }

    /// <summary>Gets why namespaces cannot be made here (not Linux, not root, no <c>ip</c>), or <see langword="null"/> when they can.</summary>
    public static string? UnavailableReason()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "network namespaces need Linux";
        }

        if (Environment.UserName != "root")
        {
            return "creating network namespaces needs root (CI runs as root; eng/test.sh installs iproute2 then)";
        }

        return File.Exists("/usr/sbin/ip") || File.Exists("/sbin/ip") || File.Exists("/usr/bin/ip") ? null : "the 'ip' command (Debian iproute2) is not installed";
    }

    /// <summary>Creates the LAN with one namespace per host name.</summary>
    public static async Task<IsolatedLan> CreateAsync(params string[] hosts)
    {
        string prefix = "ogl" + Guid.NewGuid().ToString("N")[..6];
        var lan = new IsolatedLan(prefix, []);
        try
        {
            string sw = prefix + "-sw";
            await RunAsync("ip", "netns", "add", sw);
            lan._hosts.Add("sw");
            await RunAsync("ip", "netns", "exec", sw, "ip", "link", "add", "br0", "type", "bridge");
            await RunAsync("ip", "netns", "exec", sw, "ip", "link", "set", "br0", "up");
            for (int i = 0; i < hosts.Length; i++)
            {
                string ns = lan.Namespace(hosts[i]);
                string port = $"p{i}";
                await RunAsync("ip", "netns", "add", ns);
                lan._hosts.Add(hosts[i]);
                await RunAsync("ip", "link", "add", "eth0", "netns", ns, "type", "veth", "peer", "name", port, "netns", sw);
                await RunAsync("ip", "netns", "exec", sw, "ip", "link", "set", port, "master", "br0");
                await RunAsync("ip", "netns", "exec", sw, "ip", "link", "set", port, "up");
                await RunAsync("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up");
                await RunAsync("ip", "netns", "exec", ns, "ip", "addr", "add", $"10.77.0.{i + 1}/24", "dev", "eth0");
                await RunAsync("ip", "netns", "exec", ns, "ip", "link", "set", "eth0", "up");
            }

            lan.Addresses = hosts.Select((h, i) => (h, $"10.77.0.{i + 1}")).ToDictionary(p => p.h, p => p.Item2);
            return lan;
        }
        catch
        {
            await lan.DisposeAsync();
            throw;
        }
    }

    /// <summary>Gets each host's address.</summary>
    public IReadOnlyDictionary<string, string> Addresses { get; private set; } = new Dictionary<string, string>();

    /// <summary>Gets the namespace of a host, for <c>ip netns exec</c>.</summary>
    public string Namespace(string host) => $"{_prefix}-{host}";

    /// <summary>Limits what <paramref name="host"/> sends (token bucket on its eth0), for example <c>40mbit</c>.</summary>
    public Task LimitAsync(string host, string rate) =>
        RunAsync("ip", "netns", "exec", Namespace(host), "tc", "qdisc", "replace", "dev", "eth0", "root", "tbf", "rate", rate, "burst", "64kb", "latency", "100ms");

    /// <summary>Removes a limit set with <see cref="LimitAsync"/>.</summary>
    public Task UnlimitAsync(string host) => RunAsync("ip", "netns", "exec", Namespace(host), "tc", "qdisc", "del", "dev", "eth0", "root");

    /// <summary>Runs a command in <paramref name="host"/>'s namespace and returns its standard output.</summary>
    public Task<string> RunInAsync(string host, string command, params string[] args) => RunAsync("ip", ["netns", "exec", Namespace(host), command, .. args]);

    public async ValueTask DisposeAsync()
    {
        // Deleting a namespace removes its veth end, and with it the peer end in the switch.
        foreach (string host in _hosts.AsEnumerable().Reverse())
        {
            await ((Task)RunAsync("ip", "netns", "del", Namespace(host))).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private static async Task<string> RunAsync(string command, params string[] args)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        string error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0 ? await output : throw new InvalidOperationException($"{command} {string.Join(' ', args)} failed ({process.ExitCode}): {error}");
    }
}
