using System.Diagnostics;
using System.Text;
using LockboxPortal.Hosting;

namespace LockboxPortal.Tests.Infrastructure;

/// <summary>
/// The portal as an operator runs it: <c>dotnet LockboxPortal.dll</c> from the build output, in a process of its own,
/// on a loopback port the operating system picks, over the test database that <paramref name="databasePath"/> names,
/// with the test certificate and the demo password. <see cref="StartAsync"/> returns once the process says it listens
/// (its deadline timer has then caught up: that happens before the server starts). <see cref="Kill"/> ends it with
/// SIGKILL, nothing flushed, nothing shut down.
/// </summary>
public sealed class PortalProcess : IDisposable
{
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(90);
    private const string Listening = "Now listening on: ";

    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private readonly TaskCompletionSource<string> _address = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private PortalProcess(string databasePath, IReadOnlyDictionary<string, string> settings)
    {
        _process = new Process { StartInfo = StartInfo(databasePath, settings, "--urls", "http://127.0.0.1:0"), EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, line) => Read(line.Data);
        _process.ErrorDataReceived += (_, line) => Read(line.Data);
        _process.Exited += (_, _) => _address.TrySetException(new InvalidOperationException($"The portal exited before it listened:{Environment.NewLine}{Log}"));
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>The base address it listens on, e.g. <c>http://127.0.0.1:40123</c>.</summary>
    public string Url { get; private set; } = "";

    /// <summary>What the process wrote so far, for failure messages.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public static async Task<PortalProcess> StartAsync(string databasePath, IReadOnlyDictionary<string, string>? settings = null)
    {
        var portal = new PortalProcess(databasePath, settings ?? new Dictionary<string, string>());
        try
        {
            portal.Url = await portal._address.Task.WaitAsync(StartDeadline);
        }
        catch
        {
            portal.Dispose();
            throw;
        }

        return portal;
    }

    /// <summary>Runs a console command (<c>audit verify</c>, <c>tokens create ...</c>) as its own process over the same database.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunCommandAsync(string databasePath, params string[] args)
    {
        using var process = Process.Start(StartInfo(databasePath, new Dictionary<string, string>(), args))!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(StartDeadline);
        return (process.ExitCode, await output, await error);
    }

    /// <summary>SIGKILL: the process ends where it is, mid-request and mid-transaction alike.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.WaitForExit();
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    private void Read(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
        }

        var at = line.IndexOf(Listening, StringComparison.Ordinal);
        if (at >= 0)
        {
            _address.TrySetResult(line[(at + Listening.Length)..].Trim().TrimEnd('/'));
        }
    }

    private static ProcessStartInfo StartInfo(string databasePath, IReadOnlyDictionary<string, string> settings, params string[] args)
    {
        var output = AppContext.BaseDirectory;
        var start = new ProcessStartInfo("dotnet", [Path.Combine(output, "LockboxPortal.dll"), .. args])
        {
            WorkingDirectory = output,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        // Settings as an operator passes them: environment variables, ':' written as '__'.
        Dictionary<string, string?> all = new(TestDatabase.SettingsFor(databasePath))
        {
            [DemoData.PasswordKey] = PortalFactory.DemoPassword,
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Information",
        };
        foreach (var (key, value) in TestCertificate.Settings())
        {
            all[key] = value;
        }

        foreach (var (key, value) in settings)
        {
            all[key] = value;
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment.Remove("ASPNETCORE_URLS");
        start.Environment.Remove("DOTNET_ENVIRONMENT");
        foreach (var (key, value) in all)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        return start;
    }
}
