# コメント: unicode in comments
locals {
  greeting = "こんにちは ${var.名前}"
  emoji    = "🚀 launch"
  accents  = "Zürich, Ελληνικά"
  ident-with-dashes = var.some-name
}
