console.log("native: skipped")
