using System.Diagnostics;
using System.Text.Json.Nodes;
using LockboxPortal.Tests.AccessRequests;
using LockboxPortal.Tests.Infrastructure;

namespace LockboxPortal.Tests.Audit;

/// <summary>
/// The offline verifier in docs/signed-decisions.md, copied from the page and run with python3 and openssl on a real JSON
/// export: it verifies a passkey-signed approval, and names it once the export's statement is edited.
/// </summary>
public sealed class SignedDecisionExportScriptTests
{
    [Fact]
    public async Task TheDocumentedScript_VerifiesASignedDecisionInAnExport_AndNamesAnEditedOne()
    {
        await using var harness = await ServiceHarness.CreateSqliteAsync();
        using var passkey = new SoftwarePasskey();
        await PasskeySignedDecisionTests.ArrangeAsync(harness, passkey);
        var pending = await harness.PendingCustomerAsync();
        var approved = await PasskeySignedDecisionTests.ApproveWithPasskeyAsync(harness, passkey, pending.Id);
        var export = await AuditCommandTests.RunAsync(harness, "audit", "export", "--tenant", "contoso", "--format", "json");
        Assert.Equal(0, export.ExitCode);
        var folder = Path.GetDirectoryName(harness.DatabasePath)!;
        var script = Path.Combine(folder, "signed-decisions.py");
        await File.WriteAllTextAsync(script, DocumentedScript());
        var exported = Path.Combine(folder, "contoso.json");
        await File.WriteAllTextAsync(exported, export.Output);

        var intact = await RunAsync(script, exported);
        Assert.True(intact.ExitCode == 0, intact.Output);
        Assert.Equal("1 signed decisions verify", intact.Output.Trim());

        // Four hours become eight in the exported statement: the signature no longer answers it.
        var document = JsonNode.Parse(export.Output)!;
        var entry = document["entries"]!.AsArray().Single(e => e!["eventType"]!.GetValue<int>() == 1103)!;
        var details = JsonNode.Parse(entry["details"]!.GetValue<string>())!;
        details["signature"]!["statement"]!["grantedDurationSeconds"] = 28_800;
        entry["details"] = details.ToJsonString();
        await File.WriteAllTextAsync(exported, document.ToJsonString());
        var edited = await RunAsync(script, exported);

        Assert.Equal(1, edited.ExitCode);
        Assert.StartsWith($"{approved.Reference} approve by {Cast.Approver1}: the challenge signed is not this decision's", edited.Output, StringComparison.Ordinal);
    }

    private static string DocumentedScript()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(folder.FullName, "docs", "signed-decisions.md")))
        {
            folder = folder.Parent ?? throw new FileNotFoundException("docs/signed-decisions.md");
        }

        var page = File.ReadAllText(Path.Combine(folder.FullName, "docs", "signed-decisions.md"));
        var start = page.IndexOf("```python\n", page.IndexOf("## Verifying an export offline", StringComparison.Ordinal), StringComparison.Ordinal) + "```python\n".Length;
        return page[start..page.IndexOf("```", start, StringComparison.Ordinal)];
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string script, string export)
    {
        using var process = Process.Start(new ProcessStartInfo("python3", [script, export]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, output + error);
    }
}
