import Foundation
import StrataTestSupport
import Testing

@Suite("strata design")
struct DesignCommandTests {
  @Test("a half fraction prints runs, resolution, generators, defining relation and aliases as JSON")
  func halfFractionJSON() throws {
    let run = try runStrata([
      "design", "--factors", "subject:short|question,image:photo|illustration,cta:buy|learn,tone:formal|casual",
      "--fraction", "1/2", "--json",
    ])
    #expect(run.status == 0, "\(run.stderr)")
    let json = try run.json()
    #expect(json["resolution"] as? Int == 4)
    #expect(json["generators"] as? [String] == ["D=ABC"])
    #expect(json["defining_relation"] as? [String] == ["ABCD"])
    let runs = try #require(json["runs"] as? [[String: String]])
    #expect(runs.count == 8)
    #expect(runs[0] == ["subject": "short", "image": "photo", "cta": "buy", "tone": "formal"])
    #expect(runs[1] == ["subject": "question", "image": "photo", "cta": "buy", "tone": "casual"])
    let aliases = try #require(json["aliases"] as? [[String: Any]])
    let ab = try #require(aliases.first { $0["effect"] as? String == "AB" })
    #expect(ab["aliased_with"] as? [String] == ["CD"])
    #expect(ab["aliased_with_factors"] as? [String] == ["cta:tone"])
  }

  @Test("explicit generators give the textbook 2^(7−4) resolution III design; a full factorial has null resolution")
  func generatorsAndFull() throws {
    let seven = try runStrata([
      "design", "--factors", "a:2,b:2,c:2,d:2,e:2,f:2,g:2", "--generators", "D=AB,E=AC,F=BC,G=ABC", "--json",
    ])
    #expect(seven.status == 0, "\(seven.stderr)")
    let json = try seven.json()
    #expect(json["resolution"] as? Int == 3)
    #expect((json["defining_relation"] as? [String])?.count == 15)
    #expect((json["runs"] as? [Any])?.count == 8)
    let full = try runStrata(["design", "--factors", "subject:3,image:2,cta:2", "--json"])
    #expect(full.status == 0)
    let fullJSON = try full.json()
    #expect(fullJSON["resolution"] is NSNull)
    #expect((fullJSON["runs"] as? [Any])?.count == 12)
    #expect((fullJSON["aliases"] as? [Any])?.isEmpty == true)
    let table = try runStrata(["design", "--factors", "subject:2,image:2,cta:2,tone:2", "--fraction", "1/2"])
    #expect(table.status == 0)
    #expect(table.stdout.contains("resolution IV"))
    #expect(table.stdout.contains("I = ABCD"))
  }

  @Test("planning: a main effect needs about the units of a two-arm test, a 2×2 interaction four times as many")
  func planning() throws {
    let run = try runStrata([
      "design", "--factors", "subject:2,image:2,cta:2", "--mde", "0.01", "--baseline", "0.05", "--json",
    ])
    #expect(run.status == 0, "\(run.stderr)")
    let plan = try #require(try run.json()["plan"] as? [[String: Any]])
    #expect(plan.count == 6)
    let main = try #require(plan.first { $0["term"] as? String == "subject" }?["units_total"] as? Int)
    let interaction = try #require(plan.first { $0["term"] as? String == "subject:image" }?["units_total"] as? Int)
    // Two-arm normal approximation: 2 · 2(z₀.₉₇₅ + z₀.₈)² σ² / Δ² with σ² = 0.05 · 0.95.
    let twoArm = 2 * 2 * pow(1.959963984540054 + 0.8416212335729143, 2) * 0.0475 / 0.0001
    #expect(abs(Double(main) / twoArm - 1) < 0.01, "\(main) vs \(twoArm)")
    #expect(abs(Double(interaction) / Double(main) - 4) < 0.05)
    for row in plan {
      let power = try #require(row["power"] as? Double)
      #expect(power >= 0.8 && power < 0.81)
    }
  }

  @Test(
    "bad input exits 1 with a sentence naming the flag; bad syntax is a usage error (64)",
    arguments: [
      (["--factors", "a:2,b:2,c:2,d:2", "--generators", "D=ABX"], Int32(1), "--generators"),
      (["--factors", "a:2,b:2,c:2,d:2", "--fraction", "1/8"], 1, "--fraction"),
      (["--factors", "a:2,b:2,c:2", "--fraction", "1/3"], 1, "--fraction"),
      (["--factors", "a:1,b:2"], 1, "factor a"),
      (["--factors", "a:2,a:2"], 1, "named twice"),
      (["--factors", "a:3,b:2,c:2,d:2", "--fraction", "1/2"], 1, "2 levels"),
      (["--factors", "a:2,b:2,c:2", "--fraction", "1/2", "--generators", "C=AB"], 1, "--fraction"),
      (["--factors", "nocolon"], 64, ""),
      (["--factors", "a:2,b:2", "--mde", "0.1"], 1, "--sd"),
      (["--factors", "a:2,b:2", "--mde", "0.1", "--baseline", "1.5"], 1, "--baseline"),
    ])
  func badInput(arguments: [String], status: Int32, fragment: String) throws {
    let run = try runStrata(["design"] + arguments)
    #expect(run.status == status, "\(arguments): \(run.stderr)")
    if status == 1 {
      #expect(run.stderr.contains(fragment))
      #expect(run.stdout.isEmpty)
    }
  }
}
